# À sourcer : source tests/bench/env.sh
# Images locales construites par tests/bench/setup.sh (docker import, sans registre).
export JOURNAL_IMAGE_PROMETHEUS=local/prometheus:bench
export JOURNAL_IMAGE_GRAFANA=local/grafana-standin:bench
export JOURNAL_IMAGE_CADVISOR=local/cadvisor-standin:bench
export JOURNAL_IMAGE_CADVISOR_CRASHLOOP=local/cadvisor-crashloop:bench
export JOURNAL_IMAGE_ALERTMANAGER=local/alertmanager:bench
export JOURNAL_IMAGE_NODE_EXPORTER=local/node-exporter:bench
