package org.hamkafka.contracts;

/** The message is not valid JSON, misses a required field, or carries a field of the wrong type. */
public class MalformedMessageException extends ContractException {
    public MalformedMessageException(String message) {
        super(message);
    }

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
