package org.hamkafka.contracts;

/** Bytes that are not a valid gzip-compressed {@code .npy} tensor of a supported dtype. */
public class TensorFormatException extends ContractException {
    public TensorFormatException(String message) {
        super(message);
    }

    public TensorFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
