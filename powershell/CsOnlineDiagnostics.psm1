# CsOnlineDiagnostics: the connection doctor for Skype for Business Online
# remote PowerShell. Loads the csod native library (by absolute path, for this
# OS and architecture), checks its ABI, and defines the public commands.
# Runs on Windows PowerShell 5.1 and PowerShell 7: no PowerShell 7-only syntax.
Set-StrictMode -Version 2.0

$script:ModuleRoot = $PSScriptRoot

# At import: the loader's fast path (Private/Native.ps1; its slow path,
# Private/Loader.ps1 and Compile.ps1, only when it has no compiled copy)
# and the public commands only.
# The helpers the commands run with (the other Private/*.ps1) are dot-sourced
# on first use by Import-CsodImplementation: parsing them was most of the
# import's cost. Their functions are declared script: so that they land in
# the module's scope from there.
. ([System.IO.Path]::Combine($PSScriptRoot, 'Private', 'Native.ps1'))
foreach ($file in [System.IO.Directory]::GetFiles([System.IO.Path]::Combine($PSScriptRoot, 'Public'), '*.ps1')) {
    . $file
}

# What a diagnosis needs (Test-CsOnlineConnector loads these; Invoke, Scan,
# Redact, HealthCheck, Catalog and Messages come when a call scans files,
# masks names, checks the machine, reads the catalog or has a message to
# write); without -Part, every helper of Private/.
$script:CsodCoreParts = @('HostFacts', 'Workers')

function Import-CsodImplementation([string[]] $Part) {
    # Defines the helpers of Private/ (each file once per import).
    if (-not $Part) {
        $Part = @(foreach ($file in [System.IO.Directory]::GetFiles([System.IO.Path]::Combine($script:ModuleRoot, 'Private'), '*.ps1')) {
                $name = [System.IO.Path]::GetFileNameWithoutExtension($file)
                if ($name -ne 'Native' -and $name -ne 'Loader' -and $name -ne 'Compile') { $name }
            })
    }
    foreach ($name in $Part) { Import-CsodPrivate $name }
}

# Throws a clear ErrorRecord (CsodLibraryNotFound, CsodLibraryLoadFailed,
# CsodAbiMismatch) and so fails Import-Module when the library is unusable.
$script:CsodNative = Initialize-CsodNative $PSScriptRoot
# The library builds its catalog and patterns while the import goes on.
$script:CsodNative.Type::WarmUp()

# Tab completion: -Language (the output languages of the library) and
# Get-CsOnlineConnectorProblem -Id (the catalog's problem ids, with their
# titles as tooltips) and -Family (the catalog's families, with their
# problems as tooltips). The commands' [ArgumentCompleter()] attributes call
# these through the module (an attribute's script block runs outside it);
# nothing is registered at import.
function Get-CsodCompletion([string] $Kind, [string] $WordToComplete) {
    Import-CsodImplementation -Part ($script:CsodCoreParts + 'Invoke' + 'Catalog')
    if ($Kind -eq 'Language') {
        foreach ($l in @(Get-CsodOutputLanguages)) {
            if ($l -like ($WordToComplete + '*')) {
                [System.Management.Automation.CompletionResult]::new($l, $l, 'ParameterValue', $l)
            }
        }
        return
    }
    $catalog = Get-CsodCatalog 'en'
    if ($catalog.Error) { return }
    if ($Kind -eq 'Family') {
        $problems = @($catalog.Doc['problems'])
        foreach ($f in @(Get-CsodFamilies $catalog.Doc)) {
            if ($f -like ($WordToComplete + '*')) {
                $ids = @(foreach ($p in $problems) { if ([string]$p['family'] -eq $f) { [string]$p['id'] } })
                [System.Management.Automation.CompletionResult]::new($f, $f, 'ParameterValue', ('{0} ({1}): {2}' -f $f, $ids.Count, ($ids -join ', ')))
            }
        }
        return
    }
    foreach ($p in @($catalog.Doc['problems'])) {
        $id = [string]$p['id']
        if ($id -like ($WordToComplete + '*')) {
            $title = [string]$p['title']
            if (-not $title) { $title = $id }
            [System.Management.Automation.CompletionResult]::new($id, $id, 'ParameterValue', $title)
        }
    }
}

# The exports are the manifest's FunctionsToExport (no aliases, variables or
# cmdlets). Imported through CsOnlineDiagnostics.psd1, that list is all it
# takes: an Export-ModuleMember call here cost a first answer ~45 ms of CPU
# in a fresh session (scripts/bench), so it runs only when this file is
# imported directly (Import-Module .../CsOnlineDiagnostics.psm1), which
# would otherwise export every helper defined so far. The manifest's
# PrivateData is the module's before this file runs, and only then.
# (tests/powershell/Module.Tests.ps1 checks that both lists agree.)
if ($null -eq $ExecutionContext.SessionState.Module.PrivateData) {
    Export-ModuleMember -Function 'Test-CsOnlineConnector', 'Get-CsOnlineConnectorProblem', 'Enable-CsOnlineConnectorAutoDiagnosis', 'Disable-CsOnlineConnectorAutoDiagnosis', 'Get-CsOnlineConnectorAutoDiagnosis'
}

# Removing the module puts back the commands auto-diagnosis wrapped.
$ExecutionContext.SessionState.Module.OnRemove = {
    if ($script:CsodPrivateLoaded.ContainsKey('AutoDiagnosis')) {
        try { Disable-CsodAutoDiagnosis } catch { Write-Verbose ('csod: auto-diagnosis could not be turned off: {0}' -f $_) }
    }
}
