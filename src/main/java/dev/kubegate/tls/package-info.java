/**
 * The certificate of kubegate's HTTPS listener: the operator's, or a private CA and serving
 * certificate generated under the data directory on first start. Blocking file work, done once at
 * start-up before the listener binds. (A package of its own because both the server and the
 * {@code kubeconfig} CLI command need it.)
 */
package dev.kubegate.tls;
