package io.reflex.bench;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** Webhook bodies shaped like Alertmanager 0.25's, with distinct alerts so nothing is a repeat. */
final class Payloads {
    private Payloads() {
    }

    static String alertmanager(int alerts, AtomicLong sequence) {
        String now = Instant.now().toString();
        StringBuilder body = new StringBuilder(256 + alerts * 320);
        body.append("{\"receiver\":\"reflex\",\"status\":\"firing\",\"alerts\":[");
        for (int i = 0; i < alerts; i++) {
            long n = sequence.incrementAndGet();
            String host = "bench-" + (n % 500);
            if (i > 0) {
                body.append(',');
            }
            body.append("{\"status\":\"firing\",\"labels\":{\"alertname\":\"BenchAlert\",\"host\":\"").append(host)
                    .append("\",\"severity\":\"warning\"},\"annotations\":{\"summary\":\"benchmark alert ").append(n)
                    .append("\"},\"startsAt\":\"").append(now)
                    .append("\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"\",\"fingerprint\":\"")
                    .append(Long.toHexString(n)).append("\"}");
        }
        body.append("],\"groupLabels\":{\"alertname\":\"BenchAlert\"},\"commonLabels\":{},\"commonAnnotations\":{},")
                .append("\"externalURL\":\"\",\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"BenchAlert\\\"}\",")
                .append("\"truncatedAlerts\":0}");
        return body.toString();
    }
}
