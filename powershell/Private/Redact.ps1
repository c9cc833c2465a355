# -Redact: masks user names, tenant and domain names and host names so the
# output can go into a support ticket. Works on the library's JSON text, on
# string values only (keys and ids are left alone), so the same masking covers
# -AsJson and the objects built from it. Mask texts: <user>, <domain>,
# <tenant>, <host>, <name>.

# Public service domains are not secrets and help the reader: kept as they
# are (facts.json hosts.public_domains, read through the library once).
$script:CsodPublicDomains = $null
# Top-level domains that mark a one-dot token (name.tld) as a host name.
$script:CsodKnownTlds = @('com', 'net', 'org', 'edu', 'gov', 'mil', 'int', 'io', 'biz', 'info', 'local', 'lan',
    'corp', 'internal', 'intra', 'home', 'localdomain', 'eu', 'us', 'uk', 'fr', 'de', 'ca', 'au', 'ch', 'be',
    'nl', 'es', 'it', 'jp', 'cn', 'in', 'br', 'at', 'se', 'no', 'dk', 'fi', 'pl', 'example', 'test', 'invalid')
# JSON keys whose values are identifiers, never user data.
$script:CsodRedactSkipKeys = @('id', 'problem', 'status', 'language', 'message_language', 'kind', 'doc', 'schema', 'os', 'edition')

function script:Get-CsodRedactionTerms {
    # The names this machine and session would leak: user, machine, domain.
    param([string[]] $Extra = @())
    $terms = [System.Collections.Generic.List[string]]::new()
    $candidates = @([System.Environment]::UserName, $env:USER, $env:USERNAME, $env:LOGNAME,
        [System.Environment]::MachineName, $env:COMPUTERNAME, $env:HOSTNAME, $env:USERDOMAIN, $env:USERDNSDOMAIN)
    try { $candidates += [System.Net.Dns]::GetHostName() } catch { $null = $_ }
    $candidates += $Extra
    foreach ($c in $candidates) {
        if ($c -and $c.Length -ge 2 -and -not $terms.Contains($c)) { $terms.Add($c) }
    }
    # Longest first, so "host.corp.example" goes before "host".
    $sorted = $terms.ToArray()
    [System.Array]::Sort([int[]]@(foreach ($t in $sorted) { - $t.Length }), $sorted)
    , $sorted
}

function script:Test-CsodPublicHost {
    param([string] $Name)
    $lower = $Name.ToLowerInvariant()
    if ($null -eq $script:CsodPublicDomains) {
        Import-CsodPrivate HostFacts
        $script:CsodPublicDomains = [string[]]@((Get-CsodServiceFacts)['hosts']['public_domains'])
    }
    foreach ($d in $script:CsodPublicDomains) {
        if ($lower -eq $d -or $lower.EndsWith('.' + $d)) { return $true }
    }
    $false
}

function script:Protect-CsodText {
    # Masks one string. $Terms: exact names to mask wherever they stand as words.
    param([AllowNull()] [AllowEmptyString()] [string] $Text, [string[]] $Terms = @())
    if (-not $Text) { return $Text }
    $t = $Text
    # tenant.onmicrosoft.com
    $t = [regex]::Replace($t, '(?i)(?<![\w.-])[a-z0-9-]+\.onmicrosoft\.com', '<tenant>.onmicrosoft.com')
    # user@domain (UPNs, mail addresses); a tenant already masked stays <tenant>
    $t = [regex]::Replace($t, '[A-Za-z0-9._%+''-]+@((?:<tenant>\.|[A-Za-z0-9-]+\.)+[A-Za-z]{2,})', {
            param($m)
            if ($m.Groups[1].Value.StartsWith('<tenant>')) { return '<user>@' + $m.Groups[1].Value }
            '<user>@<domain>'
        })
    # home folders: C:\Users\name, /home/name, /Users/name (also JSON-escaped backslashes)
    $t = [regex]::Replace($t, '(?i)((?:\\|/)(?:Users|home)(?:\\|/))(?!<user>)([^\\/\s''"<>:]+)', '$1<user>')
    # DOMAIN\user
    $t = [regex]::Replace($t, '(?<![\w\\])([A-Za-z][A-Za-z0-9-]{1,14})(\\)([A-Za-z0-9._-]*[A-Za-z][A-Za-z0-9._-]*)(?=[\s''"),;]|$)', {
            param($m)
            $first = $m.Groups[1].Value
            if ($first -match '^(?i:HKLM|HKCU|HKEY_\w+|SOFTWARE|SYSTEM|Microsoft|Windows|Policies|Program|Files|Common|Modules|Users|home)$') { return $m.Value }
            '<domain>' + $m.Groups[2].Value + '<user>'
        })
    # host names: a.b.tld with a known TLD, or an all-lowercase name of three labels or more
    $t = [regex]::Replace($t, '(?<![\w.@<-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,62}(?![\w-]|\.\w)', {
            param($m)
            $name = $m.Value
            if (Test-CsodPublicHost $name) { return $name }
            $labels = $name.Split('.')
            $tld = $labels[$labels.Length - 1].ToLowerInvariant()
            if ($script:CsodKnownTlds -contains $tld) { return '<host>' }
            if ($labels.Length -ge 3 -and $name -ceq $name.ToLowerInvariant() -and $tld -match '^[a-z]{2,24}$') { return '<host>' }
            $name
        })
    foreach ($term in $Terms) {
        if (-not $term) { continue }
        $t = [regex]::Replace($t, '(?i)(?<![\w])' + [regex]::Escape($term) + '(?![\w])', '<name>')
    }
    $t
}

function script:ConvertFrom-CsodJsonString {
    # The text of a JSON string token's content (between the quotes).
    param([string] $Content)
    if ($Content.IndexOf('\') -lt 0) { return $Content }
    [regex]::Replace($Content, '\\(["\\/bfnrt]|u[0-9a-fA-F]{4})', {
            param($m)
            $c = $m.Groups[1].Value
            switch -CaseSensitive ($c) {
                'b' { return [string][char]8 }
                'f' { return [string][char]12 }
                'n' { return "`n" }
                'r' { return "`r" }
                't' { return "`t" }
                default {
                    if ($c.Length -eq 5) { return [string][char][Convert]::ToInt32($c.Substring(1), 16) }
                    return $c
                }
            }
        })
}

function script:ConvertTo-CsodJsonString {
    # JSON string token content for a text.
    param([string] $Text)
    $sb = [System.Text.StringBuilder]::new()
    foreach ($ch in $Text.ToCharArray()) {
        $code = [int]$ch
        if ($ch -eq '"') { [void]$sb.Append('\"') }
        elseif ($ch -eq '\') { [void]$sb.Append('\\') }
        elseif ($code -eq 10) { [void]$sb.Append('\n') }
        elseif ($code -eq 13) { [void]$sb.Append('\r') }
        elseif ($code -eq 9) { [void]$sb.Append('\t') }
        elseif ($code -lt 32) { [void]$sb.Append(('\u{0:x4}' -f $code)) }
        else { [void]$sb.Append($ch) }
    }
    $sb.ToString()
}

function script:Protect-CsodJson {
    # Masks every string value of a JSON document (not keys, not identifier
    # values), leaving everything else byte for byte.
    param([Parameter(Mandatory = $true)] [string] $Json, [string[]] $Terms = @())
    $sb = [System.Text.StringBuilder]::new()
    $last = 0
    $lastKey = $null
    foreach ($m in [regex]::Matches($Json, '"(?:[^"\\]|\\.)*"')) {
        [void]$sb.Append($Json, $last, $m.Index - $last)
        $last = $m.Index + $m.Length
        $i = $last
        while ($i -lt $Json.Length -and [char]::IsWhiteSpace($Json[$i])) { $i++ }
        $isKey = ($i -lt $Json.Length -and $Json[$i] -eq ':')
        $token = $m.Value
        $content = $token.Substring(1, $token.Length - 2)
        if ($isKey) {
            $lastKey = $content
        } elseif ($script:CsodRedactSkipKeys -notcontains $lastKey) {
            $text = ConvertFrom-CsodJsonString $content
            $masked = Protect-CsodText -Text $text -Terms $Terms
            if ($masked -cne $text) { $token = '"' + (ConvertTo-CsodJsonString $masked) + '"' }
        }
        [void]$sb.Append($token)
    }
    [void]$sb.Append($Json, $last, $Json.Length - $last)
    $sb.ToString()
}
