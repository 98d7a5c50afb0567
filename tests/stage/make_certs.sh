#!/usr/bin/env bash
# make_certs.sh - throwaway certificates for rehearsing TLS against the stage.
#
#   tests/stage/make_certs.sh DIR
#
# Writes into DIR (created if needed), with the openssl CLI:
#   ca.pem, ca.key          a CA that exists only for this test run
#   server.pem, server.key  a server certificate for 127.0.0.1 (IP SAN
#                           127.0.0.1, DNS SAN localhost) signed by that CA
#   self.pem, self.key      a self-signed certificate for the same names, which
#                           no CA vouches for
#   expired.pem, .key       signed by that CA for the same names, but expired
#                           (valid until the day before it was made)
#   wronghost.pem, .key     signed by that CA, valid, but for wrong.example only
#   client.pem, client.key  a client certificate (CN "techweek client",
#                           clientAuth) signed by that CA
#
# Certificates are made at test time, never committed: a private key in the
# repository is a private key on the internet. They are short-lived and
# elliptic-curve keys, so making them takes a fraction of a second.

set -euo pipefail

dir=${1:?usage: make_certs.sh DIR}
command -v openssl >/dev/null || {
    echo "make_certs.sh: the openssl CLI is needed (.ci/deps installs it)" >&2
    exit 1
}
mkdir -p "$dir"
umask 077 # the keys are throwaway, but still nobody else's business

days=7
names="subjectAltName = IP:127.0.0.1, DNS:localhost"

# new_key FILE: a P-256 key in PKCS#8 PEM, which GnuTLS and OpenSSL both read.
new_key() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

# The CA. keyUsage keyCertSign is required for a CA that verifiers accept.
new_key "$dir/ca.key"
openssl req -x509 -new -key "$dir/ca.key" -days "$days" -sha256 \
    -subj "/O=techweek tests/CN=techweek throwaway CA" \
    -addext "basicConstraints = critical, CA:TRUE" \
    -addext "keyUsage = critical, keyCertSign, cRLSign" \
    -addext "subjectKeyIdentifier = hash" \
    -out "$dir/ca.pem"

# signed NAME DAYS SAN [EKU [CN]]: NAME.pem/NAME.key signed by the CA (EKU
# serverAuth and CN 127.0.0.1 unless given). Clients check the
# SAN, not the CN, so the names the stage is reached by go there. DAYS -1
# makes a certificate that expired the day before it was made.
signed() {
    new_key "$dir/$1.key"
    cat >"$dir/$1.ext" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = ${4:-serverAuth}
$3
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
    openssl req -new -key "$dir/$1.key" -subj "/O=techweek tests/CN=${5:-127.0.0.1}" \
        -out "$dir/$1.csr"
    openssl x509 -req -in "$dir/$1.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -set_serial "0x$(openssl rand -hex 8)" -days "$2" -sha256 \
        -extfile "$dir/$1.ext" -out "$dir/$1.pem" 2>/dev/null
    rm -f "$dir/$1.csr" "$dir/$1.ext"
}
signed server "$days" "$names"
signed expired -1 "$names"
signed wronghost "$days" "subjectAltName = DNS:wrong.example"
# A client certificate, signed by the same CA, for servers that ask for one.
signed client "$days" "" clientAuth "techweek client"

# The self-signed certificate: same names, so with it the only thing wrong is
# that nobody trusted vouches for it.
new_key "$dir/self.key"
openssl req -x509 -new -key "$dir/self.key" -days "$days" -sha256 \
    -subj "/O=techweek tests/CN=127.0.0.1" \
    -addext "$names" \
    -out "$dir/self.pem"

# Certificates are public; only the keys keep umask 077.
chmod 644 "$dir"/*.pem
