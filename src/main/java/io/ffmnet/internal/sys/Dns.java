package io.ffmnet.internal.sys;

import io.ffmnet.bindings.linux_x86_64.Constants;
import io.ffmnet.bindings.linux_x86_64.Functions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static io.ffmnet.bindings.linux_x86_64.Structs.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Name resolution through the C library's {@code getaddrinfo}, as libuv's {@code uv_getaddrinfo}
 * and Node's {@code dns.lookup} use it. The call blocks (files, DNS, NSS modules), so it runs on a
 * resolver thread, never on a loop (the loop layer's {@code Resolver}).
 *
 * <p>Failures are libuv's {@code UV_EAI_*} numbers ({@link #UV_EAI_NONAME} is -3008), the values
 * Node puts in {@code err.errno}; {@code EAI_SYSTEM} becomes the {@code -errno} behind it.
 */
public final class Dns {
    private Dns() {}

    // libuv's UV_EAI_* codes (include/uv/errno.h): what Node reports as err.errno.
    public static final int UV_EAI_ADDRFAMILY = -3000;
    public static final int UV_EAI_AGAIN = -3001;
    public static final int UV_EAI_BADFLAGS = -3002;
    public static final int UV_EAI_CANCELED = -3003;
    public static final int UV_EAI_FAIL = -3004;
    public static final int UV_EAI_FAMILY = -3005;
    public static final int UV_EAI_MEMORY = -3006;
    public static final int UV_EAI_NODATA = -3007;
    public static final int UV_EAI_NONAME = -3008;
    public static final int UV_EAI_OVERFLOW = -3009;
    public static final int UV_EAI_SERVICE = -3010;
    public static final int UV_EAI_SOCKTYPE = -3011;

    /** getaddrinfo hint: only families the host has an address of ({@code dns.ADDRCONFIG}). */
    public static final int AI_ADDRCONFIG = Constants.AI_ADDRCONFIG;
    /** getaddrinfo hint: IPv4-mapped IPv6 addresses when asking for IPv6 and none exist ({@code dns.V4MAPPED}). */
    public static final int AI_V4MAPPED = Constants.AI_V4MAPPED;

    // int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res);
    // Blocks on files and the network: linked without critical(false).
    private static final MethodHandle GETADDRINFO =
            Native.downcall("getaddrinfo", Functions.GETADDRINFO, false);
    // void freeaddrinfo(struct addrinfo *res);
    private static final MethodHandle FREEADDRINFO =
            Native.plainDowncall("freeaddrinfo", Functions.FREEADDRINFO, true);

    /**
     * The outcome of one lookup.
     *
     * @param status    0, or a negative libuv code ({@link #UV_EAI_NONAME}, ...) or {@code -errno}
     * @param addresses the addresses in the order getaddrinfo gave them (Node's default
     *                  {@code verbatim} order), each once; empty on failure
     * @param families  the family of each address: {@link SysConstants#AF_INET} or
     *                  {@link SysConstants#AF_INET6}
     */
    public record Answer(int status, List<String> addresses, List<Integer> families) {
        public Answer {
            addresses = List.copyOf(addresses);
            families = List.copyOf(families);
        }

        static Answer failure(int status) {
            return new Answer(status, List.of(), List.of());
        }

        /** Whether the lookup found at least one address. */
        public boolean ok() {
            return status == 0 && !addresses.isEmpty();
        }
    }

    /**
     * Resolves {@code host} without hints, as Node's {@code dns.lookup(host, {family})} does.
     *
     * @param family 0 for any, {@link SysConstants#AF_INET} or {@link SysConstants#AF_INET6}
     */
    public static Answer lookup(String host, int family) {
        return lookup(host, family, 0);
    }

    /**
     * Resolves {@code host}. An IP literal (zone included) answers at once without a system call,
     * as {@code dns.lookup} does, whatever {@code family} asks for. Blocks: call off the loop.
     *
     * @param family 0 for any, {@link SysConstants#AF_INET} or {@link SysConstants#AF_INET6}
     * @param flags  {@code ai_flags}: 0, {@link #AI_ADDRCONFIG}, {@link #AI_V4MAPPED}
     */
    public static Answer lookup(String host, int family, int flags) {
        if (host == null || host.isEmpty()) {
            return Answer.failure(UV_EAI_NONAME);
        }
        int literal = Ip.version(host);
        if (literal != 0) {
            int af = literal == 4 ? Constants.AF_INET : Constants.AF_INET6;
            return new Answer(0, List.of(host), List.of(af));
        }
        if (family != 0 && family != Constants.AF_INET && family != Constants.AF_INET6) {
            return Answer.failure(UV_EAI_FAMILY);
        }
        if (host.indexOf('\0') >= 0) {
            return Answer.failure(UV_EAI_NONAME);   // C would stop at the NUL and resolve a prefix
        }
        try (Arena arena = Arena.ofConfined()) {
            return getaddrinfo(arena, host, family, flags);
        }
    }

    /*
     * struct addrinfo {
     *     int ai_flags; int ai_family; int ai_socktype; int ai_protocol;
     *     socklen_t ai_addrlen; struct sockaddr *ai_addr; char *ai_canonname;
     *     struct addrinfo *ai_next;
     * };
     */
    private static Answer getaddrinfo(Arena arena, String host, int family, int flags) {
        MemorySegment node = arena.allocateFrom(host);
        MemorySegment hints = arena.allocate(SIZEOF_ADDRINFO, 8);   // zeroed
        hints.set(JAVA_INT, OFFSETOF_ADDRINFO_AI_FLAGS, flags);
        hints.set(JAVA_INT, OFFSETOF_ADDRINFO_AI_FAMILY, family);
        // One answer per address, not one per socket type: Node's cares_wrap asks for SOCK_STREAM too.
        hints.set(JAVA_INT, OFFSETOF_ADDRINFO_AI_SOCKTYPE, Constants.SOCK_STREAM);
        MemorySegment result = arena.allocate(ADDRESS);
        MemorySegment errno = Native.errnoSlot();
        int r;
        try {
            r = (int) GETADDRINFO.invokeExact(errno, node.address(), 0L, hints.address(), result.address());
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (r != 0) {
            return Answer.failure(r == Constants.EAI_SYSTEM ? Native.negErrno(errno) : translate(r));
        }
        long list = result.get(JAVA_LONG, 0);
        try {
            return collect(list);
        } finally {
            freeaddrinfo(list);
        }
    }

    private static Answer collect(long list) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> addresses = new ArrayList<>();
        List<Integer> families = new ArrayList<>();
        for (long ai = list; ai != 0; ) {
            MemorySegment info = MemorySegment.ofAddress(ai).reinterpret(SIZEOF_ADDRINFO);
            int length = info.get(JAVA_INT, OFFSETOF_ADDRINFO_AI_ADDRLEN);
            long addr = info.get(JAVA_LONG, OFFSETOF_ADDRINFO_AI_ADDR);
            if (addr != 0 && length > 0) {
                MemorySegment sa = MemorySegment.ofAddress(addr).reinterpret(length);
                int af = SockAddr.family(sa);
                String text = SockAddr.address(sa, length);
                if ((af == Constants.AF_INET || af == Constants.AF_INET6) && seen.add(text)) {
                    addresses.add(text);
                    families.add(af);
                }
            }
            ai = info.get(JAVA_LONG, OFFSETOF_ADDRINFO_AI_NEXT);
        }
        return addresses.isEmpty() ? Answer.failure(UV_EAI_NODATA) : new Answer(0, addresses, families);
    }

    private static void freeaddrinfo(long list) {
        try {
            FREEADDRINFO.invokeExact(list);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** glibc's EAI_* to libuv's, as {@code uv__getaddrinfo_translate_error} maps them. */
    static int translate(int eai) {
        return switch (eai) {
            case Constants.EAI_AGAIN -> UV_EAI_AGAIN;
            case Constants.EAI_FAIL -> UV_EAI_FAIL;
            case Constants.EAI_FAMILY -> UV_EAI_FAMILY;
            case Constants.EAI_MEMORY -> UV_EAI_MEMORY;
            case Constants.EAI_NODATA -> UV_EAI_NODATA;
            case Constants.EAI_NONAME -> UV_EAI_NONAME;
            case Constants.EAI_SERVICE -> UV_EAI_SERVICE;
            case Constants.EAI_SOCKTYPE -> UV_EAI_SOCKTYPE;
            // The rest (EAI_BADFLAGS, EAI_ADDRFAMILY, ...) cannot follow from our hints, and
            // the bindings do not carry them; libuv would abort, we report a plain failure.
            default -> UV_EAI_FAIL;
        };
    }

    /**
     * The name Node gives a lookup failure in {@code err.code}: {@code ENOTFOUND} for "no such
     * name" and "no address" (Node's {@code dnsException} folds both), else libuv's name
     * ({@code EAI_AGAIN}) or the errno's name.
     */
    public static String codeName(int status) {
        return switch (status) {
            case UV_EAI_NONAME, UV_EAI_NODATA -> "ENOTFOUND";
            case UV_EAI_ADDRFAMILY -> "EAI_ADDRFAMILY";
            case UV_EAI_AGAIN -> "EAI_AGAIN";
            case UV_EAI_BADFLAGS -> "EAI_BADFLAGS";
            case UV_EAI_CANCELED -> "EAI_CANCELED";
            case UV_EAI_FAIL -> "EAI_FAIL";
            case UV_EAI_FAMILY -> "EAI_FAMILY";
            case UV_EAI_MEMORY -> "EAI_MEMORY";
            case UV_EAI_OVERFLOW -> "EAI_OVERFLOW";
            case UV_EAI_SERVICE -> "EAI_SERVICE";
            case UV_EAI_SOCKTYPE -> "EAI_SOCKTYPE";
            default -> Errors.code(status);
        };
    }
}
