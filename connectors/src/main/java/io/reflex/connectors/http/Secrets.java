package io.reflex.connectors.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where {@code ${env:NAME}} and {@code ${file:/path}} references get their values. Values are
 * read at each call, so a rotated token file is picked up without a restart.
 */
public final class Secrets {

    private final Function<String, String> environment;

    /** @param environment the variables, by name; null for an unset one ({@code System::getenv} in production) */
    public Secrets(Function<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /** The process environment and the file system. */
    public static Secrets system() {
        return new Secrets(System::getenv);
    }

    /**
     * The value of one reference, {@code env:NAME} or {@code file:/path}.
     *
     * @throws SecretException naming the variable or file, never a value
     */
    String resolve(String reference) {
        if (reference.startsWith("env:")) {
            final String variable = reference.substring("env:".length());
            final String value = environment.apply(variable);
            if (value == null) {
                throw new SecretException("environment variable " + variable + " is not set");
            }
            return value;
        }
        if (reference.startsWith("file:")) {
            final String file = reference.substring("file:".length());
            try {
                // One trailing newline is what `echo token > file` leaves; it is not part of the secret.
                return stripTrailingNewline(Files.readString(Path.of(file), StandardCharsets.UTF_8));
            } catch (IOException | InvalidPathException e) {
                throw new SecretException("file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        }
        throw new SecretException("'" + reference + "' is not a secret reference; write env:NAME or file:/path");
    }

    static boolean isReference(String expression) {
        return expression.startsWith("env:") || expression.startsWith("file:");
    }

    private static String stripTrailingNewline(String value) {
        if (value.endsWith("\r\n")) {
            return value.substring(0, value.length() - 2);
        }
        return value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
    }

    /** A reference that cannot be resolved; the message names the variable or file only. */
    static final class SecretException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SecretException(String message) {
            super(message);
        }
    }
}
