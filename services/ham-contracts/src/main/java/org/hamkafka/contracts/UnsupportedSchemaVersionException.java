package org.hamkafka.contracts;

/** The message carries a {@code schema_version} this consumer does not read. */
public class UnsupportedSchemaVersionException extends ContractException {
    private final int version;

    public UnsupportedSchemaVersionException(String type, int version) {
        this(type, version, SchemaVersion.CURRENT);
    }

    public UnsupportedSchemaVersionException(String type, int version, int reads) {
        this(type, "schema_version " + version + " is not supported", version, String.valueOf(reads));
    }

    /**
     * @param found what was found, e.g. {@code schema_version 2 as JSON is not supported}
     * @param reads what this consumer reads, e.g. {@code 2 as a binary envelope and 1 as JSON}
     */
    public UnsupportedSchemaVersionException(String type, String found, int version, String reads) {
        super(type + ": " + found + "; this consumer reads " + reads);
        this.version = version;
    }

    /** The version found in the message. */
    public int version() {
        return version;
    }
}
