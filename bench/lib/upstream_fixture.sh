# shellcheck shell=bash
# Sourced by the benchmark scripts: the fixed upstream answers (a chat
# completion in JSON, and a stream of 10 chat.completion.chunk events plus
# [DONE]) and an nginx configuration that serves them, the same bytes
# bench/proxy.sh's upstream serves.
#
#   upstream_nginx_conf DIR PORT [WORKERS]  prints an nginx.conf (one worker, no daemon,
#                                  access log off, temp files under DIR) serving
#                                  POST /v1/chat/completions (JSON) and
#                                  POST /sse/v1/chat/completions (SSE) on 127.0.0.1:PORT

UPSTREAM_CHUNK_HEAD='{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","system_fingerprint":"fp_bench","choices":[{"index":0,"delta":'
UPSTREAM_COMPLETION_JSON='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","system_fingerprint":"fp_bench","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":8,"completion_tokens":9,"total_tokens":17}}'

upstream_sse_body() {
    local tok
    printf 'data: %s{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n' "$UPSTREAM_CHUNK_HEAD"
    for tok in 'Hello' '!' ' How' ' can' ' I' ' help' ' you' ' today?'; do
        printf 'data: %s{"content":"%s"},"logprobs":null,"finish_reason":null}]}\n\n' "$UPSTREAM_CHUNK_HEAD" "$tok"
    done
    printf 'data: %s{},"logprobs":null,"finish_reason":"stop"}]}\n\n' "$UPSTREAM_CHUNK_HEAD"
    printf 'data: [DONE]\n\n'
}
UPSTREAM_SSE_BODY=$(upstream_sse_body)
UPSTREAM_SSE_BODY+=$'\n\n' # $(...) strips the final blank line

# The common head of an nginx.conf for a benchmark instance; the caller closes
# the http block. extra: lines for the main context (e.g. "master_process off;").
nginx_conf_head() { # dir workers [extra]
    local d=$1
    mkdir -p "$d/tmp"
    cat <<EOF
worker_processes $2;
daemon off;${3:+
$3}
pid $d/nginx.pid;
lock_file $d/nginx.lock;
error_log $d/error.log warn;
events {
    worker_connections 1024;
}
http {
    access_log off;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
EOF
}

upstream_nginx_conf() { # dir port [workers]
    nginx_conf_head "$1" "${3:-1}"
    cat <<EOF
    server {
        listen 127.0.0.1:$2;
        location = /v1/chat/completions {
            default_type application/json;
            return 200 '$UPSTREAM_COMPLETION_JSON';
        }
        location = /sse/v1/chat/completions {
            default_type text/event-stream;
            add_header Cache-Control no-cache;
            return 200 '$UPSTREAM_SSE_BODY';
        }
        location / {
            return 404;
        }
    }
}
EOF
}

# An nginx proxy_pass to 127.0.0.1:UPSTREAM_PORT, as bench/proxy.sh configures it
# (upstream keepalive, HTTP/1.1, buffering off for /sse/). Closes the http block.
proxy_nginx_server() { # listen_port upstream_port
    cat <<EOF
    upstream bench_upstream {
        server 127.0.0.1:$2;
        keepalive 64;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$1;
        location / {
            proxy_pass http://bench_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
        location /sse/ {
            proxy_pass http://bench_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}
EOF
}
