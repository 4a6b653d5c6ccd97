package org.hamkafka.contracts;

/** A message that cannot be read under this contract; a consumer sends it to the dead-letter topic. */
public class ContractException extends RuntimeException {
    public ContractException(String message) {
        super(message);
    }

    public ContractException(String message, Throwable cause) {
        super(message, cause);
    }
}
