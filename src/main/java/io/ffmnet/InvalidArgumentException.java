package io.ffmnet;

import java.io.Serial;

/** A bad argument, thrown at once as Node throws its {@code TypeError}/{@code RangeError} with {@code ERR_*}. */
public class InvalidArgumentException extends IllegalArgumentException implements CodedError {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String code;

    public InvalidArgumentException(String code, String message) {
        super(message);
        this.code = code;
    }

    @Override
    public String code() {
        return code;
    }

    /** Node's message for {@code ERR_SOCKET_BAD_PORT}. */
    public static InvalidArgumentException badPort(String name, Object value) {
        return new InvalidArgumentException("ERR_SOCKET_BAD_PORT",
                name + " should be >= 0 and < 65536. Received " + describe(value) + ".");
    }

    /** Node's message for {@code ERR_INVALID_ARG_VALUE}. */
    public static InvalidArgumentException invalidValue(String name, Object value, String reason) {
        return new InvalidArgumentException("ERR_INVALID_ARG_VALUE",
                "The argument '" + name + "' " + reason + ". Received " + describe(value));
    }

    /** Node's message for {@code ERR_INVALID_ARG_TYPE}. */
    public static InvalidArgumentException invalidType(String name, String expected, Object value) {
        return new InvalidArgumentException("ERR_INVALID_ARG_TYPE",
                "The \"" + name + "\" argument must be " + expected + ". Received " + describe(value));
    }

    /**
     * Node's message for {@code ERR_OUT_OF_RANGE}: a whole number is shown as it is, with Node's
     * {@code _} separators beyond 2^32 ({@code 9_007_199_254_740_992}); anything else as
     * {@code ERR_INVALID_ARG_TYPE} shows it.
     */
    public static InvalidArgumentException outOfRange(String name, String range, Object value) {
        String received = value instanceof Integer || value instanceof Long
                ? withSeparators(((Number) value).longValue()) : describe(value);
        return new InvalidArgumentException("ERR_OUT_OF_RANGE",
                "The value of \"" + name + "\" is out of range. It must be " + range + ". Received " + received);
    }

    /** Node's {@code addNumericalSeparator}, used for integers whose magnitude exceeds 2^32. */
    private static String withSeparators(long n) {
        String digits = Long.toString(Math.abs(n));
        if (Math.abs(n) <= 1L << 32 || n == Long.MIN_VALUE) {
            return Long.toString(n);
        }
        StringBuilder out = new StringBuilder(n < 0 ? "-" : "");
        int head = digits.length() % 3 == 0 ? 3 : digits.length() % 3;
        out.append(digits, 0, head);
        for (int i = head; i < digits.length(); i += 3) {
            out.append('_').append(digits, i, i + 3);
        }
        return out.toString();
    }

    /**
     * Node's {@code ERR_INVALID_ARG_VALUE} worded as {@code internal/errors.js} words it: a dotted
     * name is a "property", and the value is shown as {@code util.inspect} shows it ({@code 'foo'},
     * {@code 33}, {@code null}, an object by its {@code toString()}), cut after 128 characters.
     * ({@link #invalidValue} shows the value the way {@code ERR_INVALID_ARG_TYPE} does instead.)
     */
    public static InvalidArgumentException invalidArgValue(String name, Object value, String reason) {
        String inspected = inspect(value);
        if (inspected.length() > 128) {
            inspected = inspected.substring(0, 128) + "...";
        }
        String kind = name.indexOf('.') >= 0 ? "property" : "argument";
        return new InvalidArgumentException("ERR_INVALID_ARG_VALUE",
                "The " + kind + " '" + name + "' " + reason + ". Received " + inspected);
    }

    /** {@link #invalidArgValue(String, Object, String)} with Node's default reason, "is invalid". */
    public static InvalidArgumentException invalidArgValue(String name, Object value) {
        return invalidArgValue(name, value, "is invalid");
    }

    /**
     * Node's {@code ERR_OUT_OF_RANGE} as {@code validateInt32}/{@code validateUint32} throw it:
     * "It must be >= min &amp;&amp; &lt;= max. Received 33", the number shown plainly.
     */
    public static InvalidArgumentException intOutOfRange(String name, long min, long max, int value) {
        return new InvalidArgumentException("ERR_OUT_OF_RANGE",
                "The value of \"" + name + "\" is out of range. It must be >= " + min + " && <= " + max
                        + ". Received " + value);
    }

    /** Node's {@code ERR_INVALID_ADDRESS}, thrown by {@code new net.SocketAddress} for text that is no address of its family. */
    public static InvalidArgumentException invalidAddress() {
        return new InvalidArgumentException("ERR_INVALID_ADDRESS", "Invalid socket address");
    }

    private static String inspect(Object value) {
        return value instanceof CharSequence s ? quote(s.toString()) : String.valueOf(value);
    }

    /**
     * A string as {@code util.inspect} quotes it: single quotes, or double quotes (then backticks)
     * when that avoids escaping a single quote; control characters, the backslash, the chosen quote
     * and lone surrogates escaped ({@code strEscape} in {@code lib/internal/util/inspect.js}).
     */
    private static String quote(String s) {
        char q = '\'';
        if (s.indexOf('\'') >= 0) {
            if (s.indexOf('"') < 0) {
                q = '"';
            } else if (s.indexOf('`') < 0 && !s.contains("${")) {
                q = '`';
            }
        }
        StringBuilder out = new StringBuilder(s.length() + 2).append(q);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append("\\u").append(Integer.toHexString(c));
            } else if ((c == '\'' && q == '\'') || c == '\\' || c < 0x20 || (c > 0x7e && c < 0xa0)) {
                out.append(escape(c));
            } else {
                out.append(c);
            }
        }
        return out.append(q).toString();
    }

    private static String escape(char c) {
        return switch (c) {
            case '\'' -> "\\'";
            case '\\' -> "\\\\";
            case '\b' -> "\\b";
            case '\t' -> "\\t";
            case '\n' -> "\\n";
            case '\f' -> "\\f";
            case '\r' -> "\\r";
            default -> String.format("\\x%02X", (int) c);
        };
    }

    private static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof CharSequence s) {
            return "type string ('" + s + "')";
        }
        if (value instanceof Number n) {
            return "type number (" + n + ")";
        }
        return "an instance of " + value.getClass().getSimpleName();
    }
}
