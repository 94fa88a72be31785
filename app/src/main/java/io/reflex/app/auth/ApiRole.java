package io.reflex.app.auth;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The role of an API token: which {@link Permission}s it carries. Ordered from least to most. */
public enum ApiRole {
    VIEWER(EnumSet.of(Permission.VIEW)),
    OPERATOR(EnumSet.of(Permission.VIEW, Permission.APPROVE, Permission.PAUSE, Permission.SILENCE,
            Permission.DRILL)),
    AUTHOR(EnumSet.of(Permission.VIEW, Permission.DEPLOY)),
    ADMIN(EnumSet.allOf(Permission.class));

    private final Set<Permission> permissions;

    ApiRole(Set<Permission> permissions) {
        this.permissions = Set.copyOf(permissions);
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean has(Permission permission) {
        return permissions.contains(permission);
    }

    /** Its permission names in declaration order, as {@code GET /api/whoami} lists them. */
    public List<String> permissionIds() {
        return Arrays.stream(Permission.values()).filter(this::has).map(Permission::id).toList();
    }

    /** @throws IllegalArgumentException naming the roles there are */
    public static ApiRole parse(String text) {
        String wanted = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (ApiRole role : values()) {
            if (role.id().equals(wanted)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + (text == null ? "" : text.trim()) + "'; roles are "
                + Arrays.stream(values()).map(ApiRole::id).collect(Collectors.joining(", ")));
    }
}
