package io.reflex.model;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * What an action acts on and through which connector. Its {@link #key()} is the record key
 * on {@code reflex.actions}, so actions on one target are dispatched in order.
 */
public record Target(String connector, String kind, String name) {
    public Target {
        Names.requireText(connector, "target.connector");
        Names.requireText(kind, "target.kind");
        Names.requireText(name, "target.name");
    }

    @JsonIgnore
    public String key() {
        return kind + ":" + name;
    }
}
