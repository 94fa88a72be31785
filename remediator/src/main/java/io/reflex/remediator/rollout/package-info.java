/**
 * The {@code rotate_patch} workflow: a rolling rollout of a patch over a configured group of
 * targets, in batches, through any connector, with a health gate after every batch.
 *
 * <p>The dispatcher hands {@code rotate_patch} actions (target {@code group:NAME}, param
 * {@code patch}) to {@link io.reflex.remediator.rollout.PatchRollout#run} instead of to a
 * connector, on a worker thread, and turns the {@link io.reflex.remediator.rollout.RolloutListener}
 * calls into timeline entries ({@code step}) and an {@code ESCALATED} entry ({@code escalate}).
 * Groups, steps and gates are configured under {@code remediator.rollouts}
 * ({@link io.reflex.remediator.rollout.RolloutConfig}).
 *
 * <p>Safety: every value filled into a template (member names and vars from the config, the
 * patch name from the action) must match a strict name pattern, checked before anything is
 * touched; step params go to the connector as a map and command gates run as argument lists,
 * never through a shell.
 */
package io.reflex.remediator.rollout;
