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

    /** Node's message for {@code ERR_OUT_OF_RANGE}. */
    public static InvalidArgumentException outOfRange(String name, String range, Object value) {
        return new InvalidArgumentException("ERR_OUT_OF_RANGE",
                "The value of \"" + name + "\" is out of range. It must be " + range
                        + ". Received " + describe(value));
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
