package io.ffmnet;

import io.ffmnet.SocketAddress.Bits;

import java.util.ArrayList;
import java.util.List;

/**
 * Node's {@code net.BlockList}: "rules for disabling inbound or outbound access to specific IP
 * addresses, IP ranges, or IP subnets."
 *
 * <p>Matching follows Node's C++ {@code SocketAddressBlockList} ({@code src/node_sockaddr.cc}):
 * <ul>
 * <li>An IPv4 rule also matches the IPv4-mapped IPv6 address {@code ::ffff:a.b.c.d}, and an IPv6 rule
 *     on {@code ::ffff:a.b.c.d} matches the IPv4 address; an address rule compares addresses only.
 * <li>A subnet compares the IPv4-mapped form: an IPv4 subnet {@code /n} matches IPv4 addresses and
 *     mapped IPv6 ones, an IPv6 subnet matches an IPv4 address whose mapped form lies in it (so
 *     {@code ::/0} matches every address).
 * <li>A range compares an IPv4 address with an IPv6 bound only when that bound is IPv4-mapped (Node's
 *     {@code NOT_COMPARABLE}); so the range {@code ::}-{@code ffff::} does not match {@code 1.2.3.4}.
 * <li>{@code check} with text that is not an address of the given type, or with an unknown type,
 *     returns false rather than throwing (Node catches the {@code SocketAddress} error).
 * <li>{@link #rules()} lists the most recently added rule first; adding a rule twice lists it twice.
 * </ul>
 *
 * <p>Thread-safe: rules are kept in a copy-on-write array, so {@code check} from any loop thread runs
 * without locking while another thread adds rules. Text is parsed once to 128 bits and compared as
 * unsigned numbers.
 */
public final class BlockList {
    private final Object lock = new Object();
    private volatile Rule[] rules = new Rule[0];

    /** An empty block list. */
    public BlockList() {}

    /**
     * Node's {@code blockList.addAddress(address)}: blocks one IPv4 address.
     *
     * @param address dotted-quad text
     * @throws InvalidArgumentException {@code ERR_INVALID_ARG_TYPE} for null, {@code ERR_INVALID_ADDRESS} for bad text
     */
    public void addAddress(String address) {
        addAddress(address, "ipv4");
    }

    /**
     * Node's {@code blockList.addAddress(address, type)}.
     *
     * @param address address text of the type
     * @param type {@code "ipv4"} or {@code "ipv6"}, in any case
     * @throws InvalidArgumentException {@code ERR_INVALID_ARG_VALUE} for another type, as {@link SocketAddress}
     */
    public void addAddress(String address, String type) {
        addAddress(toSocketAddress("address", address, type));
    }

    /**
     * Node's {@code blockList.addAddress(socketAddress)}: the port is ignored.
     *
     * @param address the address to block
     */
    public void addAddress(SocketAddress address) {
        SocketAddress a = nonNull("address", address);
        add(new AddressRule(a.bits(), "Address: " + familyName(a) + " " + a.address()));
    }

    /**
     * Node's {@code blockList.addRange(start, end)} for IPv4: blocks start to end, both included.
     *
     * @param start first address
     * @param end last address
     * @throws InvalidArgumentException {@code ERR_INVALID_ARG_VALUE} if start comes after end
     */
    public void addRange(String start, String end) {
        addRange(start, end, "ipv4");
    }

    /**
     * Node's {@code blockList.addRange(start, end, type)}.
     *
     * @param start first address
     * @param end last address
     * @param type {@code "ipv4"} or {@code "ipv6"}, in any case
     * @throws InvalidArgumentException {@code ERR_INVALID_ARG_VALUE} if start comes after end or for another type
     */
    public void addRange(String start, String end, String type) {
        SocketAddress first = toSocketAddress("start", start, type);
        addRange(first, toSocketAddress("end", end, type));
    }

    /**
     * Node's {@code blockList.addRange(start, end)} with socket addresses; ports are ignored.
     *
     * @param start first address
     * @param end last address
     * @throws InvalidArgumentException {@code ERR_INVALID_ARG_VALUE}: "The argument 'start' must come before end"
     */
    public void addRange(SocketAddress start, SocketAddress end) {
        Bits first = nonNull("start", start).bits();
        Bits last = nonNull("end", end).bits();
        if (comparable(first, last) && compare(first, last) > 0) {
            throw InvalidArgumentException.invalidArgValue("start", start, "must come before end");
        }
        add(new RangeRule(first, last, "Range: " + familyName(start) + " " + start.address() + "-" + end.address()));
    }

    /**
     * Node's {@code blockList.addSubnet(net, prefix)} for IPv4.
     *
     * @param net network address
     * @param prefix number of CIDR prefix bits, 0 to 32
     * @throws InvalidArgumentException {@code ERR_OUT_OF_RANGE} for a prefix outside 0 to 32
     */
    public void addSubnet(String net, int prefix) {
        addSubnet(net, prefix, "ipv4");
    }

    /**
     * Node's {@code blockList.addSubnet(net, prefix, type)}.
     *
     * @param net network address
     * @param prefix number of CIDR prefix bits: 0 to 32 for IPv4, 0 to 128 for IPv6
     * @param type {@code "ipv4"} or {@code "ipv6"}, in any case
     * @throws InvalidArgumentException {@code ERR_OUT_OF_RANGE} for the prefix, as {@link SocketAddress} for the rest
     */
    public void addSubnet(String net, int prefix, String type) {
        addSubnet(toSocketAddress("network", net, type), prefix);
    }

    /**
     * Node's {@code blockList.addSubnet(socketAddress, prefix)}; the rule lists the network as
     * given, host bits included ({@code Subnet: IPv4 1.2.3.4/24}), as Node does.
     *
     * @param net network address
     * @param prefix number of CIDR prefix bits: 0 to 32 for IPv4, 0 to 128 for IPv6
     * @throws InvalidArgumentException {@code ERR_OUT_OF_RANGE}: "The value of "prefix" is out of range"
     */
    public void addSubnet(SocketAddress net, int prefix) {
        Bits network = nonNull("network", net).bits();
        int max = network.v6() ? 128 : 32;
        if (prefix < 0 || prefix > max) {
            throw InvalidArgumentException.intOutOfRange("prefix", 0, max, prefix);
        }
        // An IPv4 prefix counts from bit 96 of the mapped form.
        int bits = network.v6() ? prefix : 96 + prefix;
        String text = "Subnet: " + familyName(net) + " " + net.address() + "/" + prefix;
        add(SubnetRule.of(network, bits, text));
    }

    /**
     * Node's {@code blockList.check(address)} for IPv4.
     *
     * @param address dotted-quad text
     * @return whether a rule matches; false for text that is not an IPv4 address
     * @throws InvalidArgumentException {@code ERR_INVALID_ARG_TYPE} if address is null
     */
    public boolean check(String address) {
        return check(address, "ipv4");
    }

    /**
     * Node's {@code blockList.check(address, type)}.
     *
     * @param address address text of the type
     * @param type {@code "ipv4"} or {@code "ipv6"}, in any case
     * @return whether a rule matches; false if the text is not an address of the type or the type is
     *     unknown, as in Node
     * @throws InvalidArgumentException {@code ERR_INVALID_ARG_TYPE} if either argument is null
     */
    public boolean check(String address, String type) {
        requireString("address", address);
        requireString("family", type);
        int version = SocketAddress.familyVersion(type);
        Bits bits = version == 0 ? null : Bits.parse(address, version == 6);
        return bits != null && matches(bits);
    }

    /**
     * Node's {@code blockList.check(socketAddress)}; the port is ignored.
     *
     * @param address the address to look up
     * @return whether a rule matches
     */
    public boolean check(SocketAddress address) {
        return matches(nonNull("address", address).bits());
    }

    /**
     * Node's {@code blockList.rules}: one line per rule, most recent first, such as
     * {@code Address: IPv4 1.2.3.4}, {@code Range: IPv4 10.0.0.1-10.0.0.10} or
     * {@code Subnet: IPv6 8592:757c:efae:4e45::/64}.
     *
     * @return an unmodifiable snapshot
     */
    public List<String> rules() {
        Rule[] current = rules;
        List<String> texts = new ArrayList<>(current.length);
        for (Rule rule : current) {
            texts.add(rule.text());
        }
        return List.copyOf(texts);
    }

    private boolean matches(Bits address) {
        for (Rule rule : rules) {
            if (rule.matches(address)) {
                return true;
            }
        }
        return false;
    }

    // Node puts each new rule at the front of its list (emplace_front), and lists rules in that order.
    private void add(Rule rule) {
        synchronized (lock) {
            Rule[] current = rules;
            Rule[] next = new Rule[current.length + 1];
            next[0] = rule;
            System.arraycopy(current, 0, next, 1, current.length);
            rules = next;
        }
    }

    // Node validates the strings (ERR_INVALID_ARG_TYPE) and then builds a SocketAddress from them.
    private static SocketAddress toSocketAddress(String name, String address, String type) {
        requireString(name, address);
        requireString("family", type);
        return new SocketAddress(address, 0, type);
    }

    private static void requireString(String name, String value) {
        if (value == null) {
            throw InvalidArgumentException.invalidType(name, "of type string", null);
        }
    }

    // Node checks for a SocketAddress first and then for a string, so null fails the string check.
    private static SocketAddress nonNull(String name, SocketAddress address) {
        if (address == null) {
            throw InvalidArgumentException.invalidType(name, "of type string", null);
        }
        return address;
    }

    private static String familyName(SocketAddress address) {
        return address.bits().v6() ? "IPv6" : "IPv4";
    }

    // Node's SocketAddress::compare says NOT_COMPARABLE for IPv4 against an IPv6 address that is not
    // IPv4-mapped; every such comparison makes a range rule fail.
    private static boolean comparable(Bits a, Bits b) {
        return a.v6() == b.v6() || (a.v6() ? a.mapped() : b.mapped());
    }

    private static int compare(Bits a, Bits b) {
        int c = Long.compareUnsigned(a.hi(), b.hi());
        return c != 0 ? c : Long.compareUnsigned(a.lo(), b.lo());
    }

    private sealed interface Rule permits AddressRule, RangeRule, SubnetRule {
        boolean matches(Bits address);

        String text();
    }

    // Node's is_match: equal addresses, an IPv4 one equal to the IPv4-mapped IPv6 one.
    private record AddressRule(Bits address, String text) implements Rule {
        @Override
        public boolean matches(Bits a) {
            return a.hi() == address.hi() && a.lo() == address.lo();
        }
    }

    private record RangeRule(Bits start, Bits end, String text) implements Rule {
        @Override
        public boolean matches(Bits a) {
            return comparable(a, start) && compare(a, start) >= 0 && comparable(a, end) && compare(a, end) <= 0;
        }
    }

    private record SubnetRule(long maskHi, long maskLo, long netHi, long netLo, String text) implements Rule {
        static SubnetRule of(Bits network, int bits, String text) {
            long maskHi = bits == 0 ? 0 : -1L << (64 - Math.min(bits, 64));
            long maskLo = bits <= 64 ? 0 : -1L << (128 - bits);
            return new SubnetRule(maskHi, maskLo, network.hi() & maskHi, network.lo() & maskLo, text);
        }

        @Override
        public boolean matches(Bits a) {
            return (a.hi() & maskHi) == netHi && (a.lo() & maskLo) == netLo;
        }
    }
}
