package io.reflex.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The thing an alert is about and an action acts on. Its {@link #key()} ({@code kind:name})
 * is the Kafka record key, so every fact about one resource lands on one partition.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Resource(String kind, String name, String namespace, String host) {

    public Resource {
        kind = Names.requireText(kind, "resource.kind");
        name = Names.requireText(name, "resource.name");
    }

    public static Resource of(String kind, String name) {
        return new Resource(kind, name, null, null);
    }

    /** {@code kind:name}, e.g. {@code service:checkout} or {@code host:web-1}. */
    @JsonIgnore
    public String key() {
        return kind + ":" + name;
    }

    @Override
    public String toString() {
        return namespace == null ? key() : kind + ":" + namespace + "/" + name;
    }
}
