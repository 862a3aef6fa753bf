# Certificate and kubeconfig helpers built on openssl alone. Sourced, not run.
# shellcheck shell=bash

# pki_ca <dir> <name> <common name>: a self-signed CA at <dir>/<name>.crt/.key (kept if present).
pki_ca() {
  local dir="$1" name="$2" cn="$3"
  [ -f "$dir/$name.crt" ] && return 0
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/$name.key" 2>/dev/null
  openssl req -x509 -new -key "$dir/$name.key" -sha256 -days 3650 -subj "/CN=$cn" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$dir/$name.crt" 2>/dev/null
}

# pki_cert <dir> <name> <subject, e.g. /CN=admin/O=system:masters> [subjectAltName, e.g. DNS:x,IP:1.2.3.4]
# A certificate for both client and server use, signed by <dir>/ca.
pki_cert() {
  local dir="$1" name="$2" subject="$3" san="${4:-}"
  [ -f "$dir/$name.crt" ] && return 0
  local ext
  ext="$(mktemp)"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } >"$ext"
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/$name.key" 2>/dev/null
  openssl req -new -key "$dir/$name.key" -subj "$subject" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -sha256 \
    -days 3650 -extfile "$ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$ext" "$dir/$name.csr"
}

# pki_sa_keys <dir>: the service-account token signing key pair sa.key/sa.pub.
pki_sa_keys() {
  local dir="$1"
  [ -f "$dir/sa.key" ] && return 0
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/sa.key" 2>/dev/null
  openssl ec -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
}

# write_kubeconfig <file> <server url> <ca file> <client cert> <client key> <user name>
write_kubeconfig() {
  local file="$1" server="$2" ca="$3" cert="$4" key="$5" user="$6"
  # A subshell, so the umask does not leak into the daemons the caller starts afterwards.
  (
    umask 077
    cat >"$file.tmp" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: kappa
    cluster:
      server: $server
      certificate-authority-data: $(base64 -w0 <"$ca")
users:
  - name: $user
    user:
      client-certificate-data: $(base64 -w0 <"$cert")
      client-key-data: $(base64 -w0 <"$key")
contexts:
  - name: kappa
    context: { cluster: kappa, user: $user }
current-context: kappa
KUBECONFIG
  )
  mv "$file.tmp" "$file"
}
