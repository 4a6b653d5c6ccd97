package org.hamkafka.contracts;

/** The message carries a {@code schema_version} this consumer does not read. */
public class UnsupportedSchemaVersionException extends ContractException {
    private final int version;

    public UnsupportedSchemaVersionException(String type, int version) {
        this(type, version, SchemaVersion.CURRENT);
    }

    public UnsupportedSchemaVersionException(String type, int version, int reads) {
        super(type + ": schema_version " + version + " is not supported; this consumer reads " + reads);
        this.version = version;
    }

    /** The version found in the message. */
    public int version() {
        return version;
    }
}
