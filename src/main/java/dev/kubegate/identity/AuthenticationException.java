package dev.kubegate.identity;

/** A credential was refused ({@link #unavailable()} false: 401) or could not be checked (true: 503). */
public class AuthenticationException extends RuntimeException {

    private final boolean unavailable;

    private AuthenticationException(String message, boolean unavailable, Throwable cause) {
        super(message, cause);
        this.unavailable = unavailable;
    }

    public static AuthenticationException invalid(String message) {
        return new AuthenticationException(message, false, null);
    }

    public static AuthenticationException unavailable(String message, Throwable cause) {
        return new AuthenticationException(message, true, cause);
    }

    public boolean unavailable() {
        return unavailable;
    }
}
