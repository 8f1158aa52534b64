/** Typed configuration ({@code @ConfigMapping}, prefix {@code kubegate}); every key is documented in docs/configuration.md. */
package dev.kubegate.config;
