/**
 * The entry point ({@link dev.kubegate.KubegateMain}: {@code kubegate <command>}, {@code serve} by
 * default) and the native image's reflection list. The only package that may use every other one;
 * what each sub-package does and may depend on is in docs/architecture.md ("Packages").
 */
package dev.kubegate;
