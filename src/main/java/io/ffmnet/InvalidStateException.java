package io.ffmnet;

import java.io.Serial;

/**
 * A call made in a state that does not allow it ({@code ERR_SERVER_ALREADY_LISTEN},
 * {@code ERR_SOCKET_DGRAM_NOT_RUNNING}, ...), thrown at once as Node throws it.
 */
public class InvalidStateException extends IllegalStateException implements CodedError {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String code;

    public InvalidStateException(String code, String message) {
        super(message);
        this.code = code;
    }

    @Override
    public String code() {
        return code;
    }
}
