/** Typed configuration ({@code @ConfigMapping}, prefix {@code kubegate}); every key is documented in README.md. */
package dev.kubegate.config;
