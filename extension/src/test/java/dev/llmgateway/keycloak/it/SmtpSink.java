package dev.llmgateway.keycloak.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A mail server on loopback that accepts every message and keeps it: just enough SMTP for Keycloak's sender. */
public final class SmtpSink implements AutoCloseable {

    /** One message as received: envelope recipients and the raw content (headers and body). */
    public record Mail(List<String> recipients, String content) {
        /** The Subject header, unfolded (long headers continue on lines starting with white space). */
        public String subject() {
            String headers = content.split("\r\n\r\n", 2)[0].replaceAll("\r\n[ \t]+", " ");
            for (String line : headers.split("\r\n")) {
                if (line.regionMatches(true, 0, "Subject:", 0, 8)) {
                    return line.substring(8).trim();
                }
            }
            return null;
        }
    }

    private final ServerSocket server;
    private final List<Mail> mails = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public SmtpSink() {
        try {
            server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = new Thread(this::acceptLoop, "smtp-sink");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public List<Mail> mails() {
        return List.copyOf(mails);
    }

    /** Waits up to 15 s for at least {@code n} messages. */
    public List<Mail> await(int n) {
        long deadline = System.currentTimeMillis() + 15_000;
        while (mails.size() < n && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (mails.size() < n) {
            throw new AssertionError("expected " + n + " mails within 15 s, got " + mails.size());
        }
        return mails();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                converse(s);
            } catch (IOException e) {
                // closed, or the client hung up: wait for the next one
            }
        }
    }

    private void converse(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        reply(out, "220 localhost sink ready");
        List<String> recipients = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            String command = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
            switch (command) {
                case "EHLO", "HELO" -> reply(out, "250 localhost");
                case "MAIL" -> {
                    recipients = new ArrayList<>();
                    reply(out, "250 OK");
                }
                case "RCPT" -> {
                    recipients.add(line.replaceAll("(?i)^RCPT TO:\\s*<?([^>]*)>?.*$", "$1"));
                    reply(out, "250 OK");
                }
                case "DATA" -> {
                    reply(out, "354 End data with <CR><LF>.<CR><LF>");
                    StringBuilder content = new StringBuilder();
                    String data;
                    while ((data = in.readLine()) != null && !data.equals(".")) {
                        content.append(data.startsWith("..") ? data.substring(1) : data)
                                .append("\r\n");
                    }
                    mails.add(new Mail(List.copyOf(recipients), content.toString()));
                    reply(out, "250 OK queued");
                }
                case "QUIT" -> {
                    reply(out, "221 Bye");
                    return;
                }
                default -> reply(out, "250 OK");
            }
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
