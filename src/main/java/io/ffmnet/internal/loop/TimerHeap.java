package io.ffmnet.internal.loop;

import java.util.Arrays;

/**
 * The loop's timers in a binary min-heap ordered by ({@link LoopTimer#heapKey},
 * {@link LoopTimer#seq}): due time first, then the order they were filed, which is the order
 * Node fires timers due at the same millisecond.
 *
 * <p>Each timer knows its index, so removal is O(log n) without a search. A refreshed timer keeps
 * its old key until it reaches the top; {@link #pollDue} then re-files it under its new expiry
 * instead of returning it (lazy re-keying, the same trick as Node's per-duration lists).
 */
final class TimerHeap {
    private LoopTimer[] heap = new LoopTimer[64];
    private int size;
    private long nextSeq;

    int size() {
        return size;
    }

    void add(LoopTimer t) {
        t.heapKey = t.expiry;
        t.seq = nextSeq++;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        t.heapIndex = size;
        heap[size++] = t;
        siftUp(t.heapIndex);
    }

    void remove(LoopTimer t) {
        int i = t.heapIndex;
        LoopTimer last = heap[--size];
        heap[size] = null;
        t.heapIndex = -1;
        if (i == size) {
            return;
        }
        heap[i] = last;
        last.heapIndex = i;
        siftDown(i);
        if (last.heapIndex == i) {
            siftUp(i);
        }
    }

    /**
     * The earliest expiry in the heap (may be earlier than the real one if that timer was
     * refreshed; the loop then wakes once for nothing), or -1 when empty.
     */
    long nextKey() {
        return size == 0 ? -1 : heap[0].heapKey;
    }

    /** Takes off and returns the next timer due at or before {@code now}, or null. */
    LoopTimer pollDue(long now) {
        while (size > 0) {
            LoopTimer top = heap[0];
            if (top.heapKey > now) {
                return null;
            }
            remove(top);
            if (top.expiry > top.heapKey) {
                add(top);   // refreshed since it was filed: file it under its new time
                continue;
            }
            return top;
        }
        return null;
    }

    private static boolean before(LoopTimer a, LoopTimer b) {
        return a.heapKey < b.heapKey || (a.heapKey == b.heapKey && a.seq < b.seq);
    }

    private void siftUp(int i) {
        LoopTimer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            LoopTimer p = heap[parent];
            if (!before(t, p)) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i) {
        LoopTimer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            LoopTimer c = heap[child];
            int right = child + 1;
            if (right < size && before(heap[right], c)) {
                child = right;
                c = heap[child];
            }
            if (!before(c, t)) {
                break;
            }
            heap[i] = c;
            c.heapIndex = i;
            i = child;
        }
        heap[i] = t;
        t.heapIndex = i;
    }
}
