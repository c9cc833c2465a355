# Error records and the module's messages (string tables en-US/, fr-FR/, de-DE/, ja-JP/).

function script:New-CsodErrorRecord {
    # An ErrorRecord with a stable FullyQualifiedErrorId and a category.
    param(
        [Parameter(Mandatory = $true)] [string] $Message,
        [Parameter(Mandatory = $true)] [string] $ErrorId,
        [System.Management.Automation.ErrorCategory] $Category = 'NotSpecified',
        [object] $TargetObject = $null,
        [System.Exception] $InnerException = $null,
        [string] $RecommendedAction = $null
    )
    if ($InnerException) {
        $exception = [System.InvalidOperationException]::new($Message, $InnerException)
    } else {
        $exception = [System.InvalidOperationException]::new($Message)
    }
    $record = [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $Category, $TargetObject)
    if ($RecommendedAction) {
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($Message)
        $record.ErrorDetails.RecommendedAction = $RecommendedAction
    }
    $record
}

# The module's messages: <culture>/CsOnlineDiagnostics.Strings.psd1 (en-US,
# fr-FR, de-DE, ja-JP: one per output language of the catalog),
# read with Import-LocalizedData on the first message of a language (that
# cmdlet lives in Microsoft.PowerShell.Utility, whose autoload costs ~200 ms:
# an answer that needs no message never pays it).
$script:CsodStrings = @{}
# The output language of the command running (set by it), for its messages.
$script:CsodMessageLanguage = $null
# Output language -> the culture folder of its messages.
$script:CsodMessageCultures = @{ en = 'en-US'; fr = 'fr-FR'; de = 'de-DE'; ja = 'ja-JP' }

function script:Get-CsodMessageTable([string] $Culture) {
    # The string table of one culture folder (cached), $null when absent.
    if ($script:CsodStrings.ContainsKey($Culture)) { return $script:CsodStrings[$Culture] }
    $table = $null
    $file = [System.IO.Path]::Combine($script:ModuleRoot, $Culture, 'CsOnlineDiagnostics.Strings.psd1')
    if ([System.IO.File]::Exists($file)) {
        Import-LocalizedData -BindingVariable table -BaseDirectory $script:ModuleRoot -FileName 'CsOnlineDiagnostics.Strings.psd1' -UICulture $Culture -ErrorAction SilentlyContinue
    }
    $script:CsodStrings[$Culture] = $table
    $table
}

function script:Get-CsodMessage([string] $Name, [object[]] $Arguments = @(), [string] $Language) {
    # A message in the output language of the call (or -Language; else the
    # UI culture when there is a table for it), filled in with -f. Falls
    # back to English, then to the key itself: a message never fails.
    if (-not $Language) { $Language = $script:CsodMessageLanguage }
    if (-not $Language) { $Language = [System.Globalization.CultureInfo]::CurrentUICulture.TwoLetterISOLanguageName }
    $culture = $script:CsodMessageCultures[[string]$Language]
    $text = $null
    if ($culture) {
        $table = Get-CsodMessageTable $culture
        if ($table) { $text = $table[$Name] }
    }
    if (-not $text) {
        $table = Get-CsodMessageTable 'en-US'
        if ($table) { $text = $table[$Name] }
    }
    if (-not $text) { $text = $Name }
    if ($Arguments.Count -gt 0) { $text = $text -f $Arguments }
    $text
}
