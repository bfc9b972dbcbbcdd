{{- /*
The API's sign-in environment (ASTROMESH_PUBLIC_URL, ASTROMESH_OIDC_*, ASTROMESH_GITHUB_*): client
ids and secrets only through secretKeyRef, never as values in the Deployment. A provider given
half stops the install with the key to set, as the API itself would stop at start.
*/}}
{{- define "astromesh.signInEnv" -}}
{{- $signIn := .Values.signIn -}}
{{- $oidc := $signIn.oidc -}}
{{- $github := $signIn.github -}}
{{- if and $oidc.existingSecret (not $oidc.issuer) -}}
{{- fail "signIn.oidc.issuer: required when signIn.oidc.existingSecret is set (the OpenID Connect issuer, e.g. https://accounts.google.com)" -}}
{{- end -}}
{{- if and $oidc.issuer (not $oidc.existingSecret) -}}
{{- fail "signIn.oidc.existingSecret: required when signIn.oidc.issuer is set (a Secret holding the client id and secret)" -}}
{{- end -}}
{{- if and (or $oidc.issuer $github.existingSecret) (not $signIn.publicUrl) -}}
{{- fail "signIn.publicUrl: required with a sign-in provider (the API as browsers reach it; the redirect URIs start with it)" -}}
{{- end -}}
{{- if $signIn.publicUrl }}
- name: ASTROMESH_PUBLIC_URL
  value: {{ $signIn.publicUrl | quote }}
{{- end }}
{{- if $oidc.issuer }}
- name: ASTROMESH_OIDC_ISSUER
  value: {{ $oidc.issuer | quote }}
{{- if $oidc.name }}
- name: ASTROMESH_OIDC_NAME
  value: {{ $oidc.name | quote }}
{{- end }}
- name: ASTROMESH_OIDC_CLIENT_ID
  valueFrom:
    secretKeyRef:
      name: {{ $oidc.existingSecret }}
      key: {{ $oidc.clientIdKey }}
- name: ASTROMESH_OIDC_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $oidc.existingSecret }}
      key: {{ $oidc.clientSecretKey }}
{{- end }}
{{- if $github.existingSecret }}
- name: ASTROMESH_GITHUB_CLIENT_ID
  valueFrom:
    secretKeyRef:
      name: {{ $github.existingSecret }}
      key: {{ $github.clientIdKey }}
- name: ASTROMESH_GITHUB_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $github.existingSecret }}
      key: {{ $github.clientSecretKey }}
- name: ASTROMESH_GITHUB_URL
  value: {{ $github.url | quote }}
- name: ASTROMESH_GITHUB_API_URL
  value: {{ $github.apiUrl | quote }}
{{- end }}
{{- end -}}
