/**
 * Identity mapping: which verified identities (AWS ARNs, service accounts, OIDC subjects) are agents,
 * under which principal name and groups. {@link dev.kubegate.identity.mapping.IdentityMappings} is pure;
 * {@link dev.kubegate.identity.mapping.IdentityMapper} reads the file at start and re-reads it on a
 * worker thread when it changes; mapping itself only reads a volatile reference.
 */
package dev.kubegate.identity.mapping;
