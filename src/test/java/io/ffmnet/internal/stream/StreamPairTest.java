package io.ffmnet.internal.stream;

import io.ffmnet.internal.loop.Loop;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** A loop of its own per test class, and a fresh {@link StreamPair} on it per test. */
abstract class StreamPairTest {
    static Loop loop;
    StreamPair pair;

    @BeforeAll
    static void startLoop() {
        loop = Loop.start("stream-handle-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.shutdown();
    }

    @BeforeEach
    void connect() {
        pair = new StreamPair(loop);
    }

    @AfterEach
    void close() {
        pair.close();
    }
}
