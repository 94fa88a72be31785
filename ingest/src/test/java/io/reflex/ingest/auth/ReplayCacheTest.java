package io.reflex.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplayCacheTest {

    @Test
    void refusesAKeyUntilItExpires() {
        ReplayCache cache = new ReplayCache("test", 10);

        assertThat(cache.add("a", 1_000, 0)).isTrue();
        assertThat(cache.add("a", 1_000, 500)).isFalse();
        assertThat(cache.add("a", 1_000, 1_000)).as("still valid at its expiry").isFalse();
        assertThat(cache.add("a", 2_000, 1_001)).as("expired, so new").isTrue();
    }

    @Test
    void whenFullForgetsTheEntryClosestToExpiry() {
        ReplayCache cache = new ReplayCache("test", 2);
        cache.add("late", 9_000, 0);
        cache.add("soon", 1_000, 0);

        assertThat(cache.add("new", 5_000, 0)).isTrue();

        assertThat(cache.size(0)).isEqualTo(2);
        assertThat(cache.evictedEarly()).isEqualTo(1);
        assertThat(cache.add("late", 9_000, 0)).isFalse();
        assertThat(cache.add("new", 5_000, 0)).isFalse();
    }

    @Test
    void purgesExpiredEntriesBeforeEvicting() {
        ReplayCache cache = new ReplayCache("test", 2);
        cache.add("a", 100, 0);
        cache.add("b", 200, 0);

        assertThat(cache.add("c", 900, 500)).isTrue();

        assertThat(cache.evictedEarly()).isZero();
        assertThat(cache.size(500)).isEqualTo(1);
    }

    @Test
    void forgetsARemovedKey() {
        ReplayCache cache = new ReplayCache("test", 2);
        cache.add("a", 100, 0);
        cache.remove("a");
        cache.remove("never-added");

        assertThat(cache.size(0)).isZero();
        assertThat(cache.add("a", 100, 0)).isTrue();
    }

    @Test
    void needsRoomForAtLeastOneEntry() {
        assertThatThrownBy(() -> new ReplayCache("test", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
