/**
 * AWS IAM agents: {@code k8s-aws-v1.} tokens checked locally ({@link dev.kubegate.identity.aws.AwsToken},
 * pure), replayed against STS ({@link dev.kubegate.identity.aws.StsClient}, non-blocking Vert.x client)
 * and reduced to a canonical ARN ({@link dev.kubegate.identity.aws.CallerIdentity}, pure).
 *
 * <p>Threading: nothing blocks; STS answers are read bounded (64 KiB) and parsed on the event loop
 * (small documents). Tokens are cached by digest only, never logged.
 */
package dev.kubegate.identity.aws;
