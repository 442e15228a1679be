package io.ffmnet.internal.loop;

import io.ffmnet.internal.sys.Dns;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lookups run off the loop, answer on it, and hold it referenced while in flight. */
@Timeout(60)
class ResolverTest {
    private static Loop loop;

    @BeforeAll
    static void start() {
        loop = Loop.start("resolver-test");
    }

    @AfterAll
    static void stop() {
        loop.shutdown();
    }

    private record Seen(Dns.Answer answer, String thread, int refsDuring, int refsAfter) {}

    private static Seen resolve(String host) {
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        loop.execute(() -> {
            int before = loop.refs();
            Resolver.lookup(loop, host, 0, answer -> seen.complete(new Seen(answer,
                    Thread.currentThread().getName(), before, loop.refs())));
            int during = loop.refs();
            if (during < before) {
                seen.completeExceptionally(new AssertionError("refs went down"));
            }
        });
        return seen.join();
    }

    @Test
    void aNameIsAnsweredOnTheLoopThreadAndTheReferenceIsGivenBack() {
        Seen seen = resolve("localhost");
        assertTrue(seen.answer().ok(), seen.answer().toString());
        assertEquals("resolver-test", seen.thread());
        assertEquals(seen.refsDuring(), seen.refsAfter());
    }

    @Test
    void aLiteralIsAnsweredWithoutThePool() {
        Seen seen = resolve("127.0.0.1");
        assertEquals(0, seen.answer().status());
        assertEquals("resolver-test", seen.thread());
    }

    @Test
    void theLoopIsReferencedWhileALookupIsInFlight() {
        CompletableFuture<Integer> during = new CompletableFuture<>();
        CompletableFuture<Integer> after = new CompletableFuture<>();
        AtomicBoolean answered = new AtomicBoolean();
        loop.execute(() -> {
            int before = loop.refs();
            Resolver.lookup(loop, "nonexistent.invalid", 0, answer -> {
                answered.set(true);
                after.complete(loop.refs() - before);
            });
            during.complete(loop.refs() - before);
        });
        assertEquals(1, during.join());
        assertEquals(0, after.join());
        assertTrue(answered.get());
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("ffm-net-dns-"))
                .anyMatch(t -> !t.isDaemon()), "resolver threads are daemons");
    }
}
