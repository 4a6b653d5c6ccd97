#!/bin/sh
set -eu
data=/var/lib/kafka/data
props=/tmp/server.properties
mkdir -p "$data"
env | grep '^KAFKA_' | grep -v -e '^KAFKA_HEAP_OPTS=' -e '^KAFKA_OPTS=' | while IFS='=' read -r name value; do
  printf '%s=%s\n' "$(printf '%s' "${name#KAFKA_}" | tr 'A-Z_' 'a-z.')" "$value"
done > "$props"
echo "log.dirs=$data" >> "$props"
cp=/opt/kafka/libs/*
if [ ! -f "$data/meta.properties" ]; then
  java -cp "$cp" kafka.tools.StorageTool format --cluster-id "$CLUSTER_ID" --config "$props" --ignore-formatted
fi
exec java ${KAFKA_HEAP_OPTS:--Xmx512m} -cp "$cp" kafka.Kafka "$props"
