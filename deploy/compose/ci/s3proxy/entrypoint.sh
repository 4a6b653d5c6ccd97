#!/bin/sh
# MINIO_ROOT_USER / MINIO_ROOT_PASSWORD as MinIO takes them: the one key pair S3Proxy accepts.
set -eu
mkdir -p /data
cat > /tmp/s3proxy.properties <<PROPS
s3proxy.endpoint=http://0.0.0.0:9000
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$MINIO_ROOT_USER
s3proxy.credential=$MINIO_ROOT_PASSWORD
jclouds.provider=filesystem
jclouds.filesystem.basedir=/data
PROPS
exec java -Xmx256m -Dlogback.configurationFile=/usr/local/bin/logback.xml -cp '/opt/s3proxy/libs/*' org.gaul.s3proxy.Main --properties /tmp/s3proxy.properties
