package io.reflex.console;

/** The server-sent events wire format (WHATWG HTML, "Server-sent events"). */
final class Sse {
    private Sse() {
    }

    /**
     * One event: {@code event: NAME}, then one {@code data:} line per line of the payload (a
     * newline inside data would otherwise end the field), then the blank line that dispatches it.
     */
    static String event(String name, String data) {
        if (name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("an event name cannot hold a line break: '" + name + "'");
        }
        StringBuilder frame = new StringBuilder(data.length() + name.length() + 16);
        frame.append("event: ").append(name).append('\n');
        for (String line : data.split("\r\n|\r|\n", -1)) {
            frame.append("data: ").append(line).append('\n');
        }
        return frame.append('\n').toString();
    }

    /** A comment: clients ignore it, proxies see traffic, so idle streams are not cut. */
    static String comment(String text) {
        return ": " + text.replaceAll("[\r\n]+", " ") + "\n\n";
    }
}
