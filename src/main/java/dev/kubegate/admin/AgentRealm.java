package dev.kubegate.admin;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an admin-API method that agents may call with their own credentials (session login, revoking
 * their own session). {@link AdminAuthentication} then does not refuse the call: it only marks an
 * admin token as such, and the method authenticates everyone else itself.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface AgentRealm {
}
