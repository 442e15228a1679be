package io.ffmnet;

/** An error with Node's {@code err.code}: an errno name ({@code ECONNREFUSED}) or an {@code ERR_*} code. */
public interface CodedError {
    /** Node's {@code err.code}. */
    String code();
}
