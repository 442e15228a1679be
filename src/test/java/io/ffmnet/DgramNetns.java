package io.ffmnet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for the multicast and broadcast tests: each {@link #link} makes a namespace
 * joined to this one by a veth pair, with addresses the test chose ({@code 10.<net>.<n>.1/24} on
 * this side, {@code .2} inside, and {@code fd00:<net>:<n>::1} and {@code ::2}), so datagrams go
 * between two "hosts" without leaving the machine.
 * {@link #close()} deletes the namespaces, which takes their veth pairs with them.
 */
final class DgramNetns implements AutoCloseable {
    private static final long HANG_GUARD_SECONDS = 60;

    /** One namespace and the veth pair to it. */
    record Link(String netns, String hostInterface, String peerInterface, String hostAddress,
                String peerAddress, String broadcast, String hostAddress6, String peerAddress6) {}

    private final String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    /** The third octet of every subnet of this run, random so parallel runs do not collide. */
    private final int n = 1 + ThreadLocalRandom.current().nextInt(250);
    private final List<String> namespaces = new ArrayList<>();

    /**
     * Why namespaces cannot be made here, or null if they can: the tests skip with this reason.
     */
    static String unavailableReason() {
        String probe = "ffmnet-probe-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        try {
            run("ip", "netns", "add", probe);
            run("ip", "netns", "delete", probe);
            return null;
        } catch (IOException | RuntimeException e) {
            return "cannot create a network namespace (needs root and iproute2): " + e.getMessage();
        }
    }

    /**
     * A new namespace tagged {@code tag} (one letter) linked to this one, on subnet
     * {@code 10.<net>.<n>.0/24}. Inside it, multicast is routed out of the veth.
     */
    Link link(char tag, int net) throws IOException {
        String netns = "ffmnet-test-" + id + "-" + tag;
        String host = "fm" + id + tag;
        String peer = host + "p";
        String prefix = "10." + net + "." + n + ".";
        // Unique local IPv6 addresses, usable at once: "nodad" skips duplicate address detection.
        String prefix6 = "fd00:" + net + ":" + n + "::";
        run("ip", "netns", "add", netns);
        namespaces.add(netns);
        run("ip", "link", "add", host, "type", "veth", "peer", "name", peer);
        try {
            run("ip", "link", "set", peer, "netns", netns);
        } catch (IOException | RuntimeException e) {
            run("ip", "link", "delete", host);
            throw e;
        }
        run("ip", "addr", "add", prefix + "1/24", "broadcast", prefix + "255", "dev", host);
        run("ip", "-6", "addr", "add", prefix6 + "1/64", "dev", host, "nodad");
        run("ip", "link", "set", host, "up");
        inside(netns, "ip", "link", "set", "lo", "up");
        inside(netns, "ip", "addr", "add", prefix + "2/24", "broadcast", prefix + "255", "dev", peer);
        inside(netns, "ip", "-6", "addr", "add", prefix6 + "2/64", "dev", peer, "nodad");
        inside(netns, "ip", "link", "set", peer, "up");
        inside(netns, "ip", "route", "add", "224.0.0.0/4", "dev", peer);
        return new Link(netns, host, peer, prefix + "1", prefix + "2", prefix + "255", prefix6 + "1", prefix6 + "2");
    }

    /** The third octet of this run's subnets, for group addresses of the test's own. */
    int n() {
        return n;
    }

    private static void inside(String netns, String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(List.of(command));
        run(full.toArray(String[]::new));
    }

    /** Runs a command and fails with its output unless it exits with 0. */
    static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out.trim());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Deletes every namespace made, with its veth pair; carries on past failures. */
    @Override
    public void close() {
        for (String netns : namespaces) {
            try {
                run("ip", "netns", "delete", netns);
            } catch (IOException | RuntimeException e) {
                System.err.println("could not delete network namespace " + netns + ": " + e.getMessage());
            }
        }
        namespaces.clear();
    }
}
