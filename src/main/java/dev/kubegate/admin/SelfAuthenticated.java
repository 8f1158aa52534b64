package dev.kubegate.admin;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an admin-API method whose callers are no admins: they prove themselves another way (Slack's
 * signed interaction requests), or the answer is public (where to sign in with OIDC).
 * {@link AdminAuthentication} leaves such a call alone; the method must refuse anything it cannot
 * authenticate.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface SelfAuthenticated {
}
