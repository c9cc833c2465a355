# Messages of the CsOnlineDiagnostics module (errors, warnings, verbose and
# progress texts), read with Import-LocalizedData. One file per culture with
# the same keys (fr-FR/ holds the French texts); {0}, {1}... are filled in
# with -f. The diagnoses themselves come from the native library's catalog.
@{
    # Loading the native library (Import-Module).
    LibraryNotFound        = 'The csod native library ({0} for {1}) was not found. Looked at: {2}. Build it with "cargo build --release" in the source checkout, install the packaged module (scripts/package), or set $env:CSOD_LIBRARY to its absolute path.'
    LibraryNotFoundAction  = 'Build or install the native library for this platform.'
    LibraryLoadFailed      = 'The csod native library {0} could not be loaded: {1} (is it built for {2}?)'
    AbiMismatch            = 'The csod native library {0} has ABI version {1}, but this module (CsOnlineDiagnostics {2}) needs ABI version {3}. Install the library and the module from the same build.'
    AbiMismatchAction      = 'Rebuild the library or reinstall the module so that both come from the same version.'
    FunctionMissing        = 'The csod native library {0} (version {1}) does not export {2}; it is older than this module. Rebuild or reinstall it.'
    NoDiagnose             = 'This build of the native library cannot run probes (no csod_diagnose); the error is classified without them.'

    # Input.
    NullInput              = 'The input is $null: there is no error to diagnose ($Error[0] is $null until an error happens). Pipe an ErrorRecord, an exception, error text or files.'
    NoInput                = 'Nothing came through the pipeline (an empty collection), so there is nothing to diagnose. For the health check, run Test-CsOnlineConnector without input.'
    UnsupportedInput       = 'Cannot diagnose a {0}: pipe an ErrorRecord ($_ in a catch block, $Error[0]), an exception, error text, or files from Get-ChildItem.'
    EmptyMessage           = 'The message is empty: nothing to classify.'

    # Parameters.
    UnknownLanguage        = 'There are no texts in the language "{0}": the output is in English (available: {1}).'
    EndpointSyntax         = 'Endpoint "{0}": write host, host:port, [IPv6]:port or name=host:port.'
    EndpointPort           = 'Endpoint "{0}": the port must be 1 to 65535.'
    EndpointHost           = 'Endpoint "{0}": "{1}" is not a host name or address.'
    EndpointName           = 'Endpoint "{0}": a name is 1 to 64 letters, digits, "-", "_" or ".".'
    EndpointTwice          = 'Endpoint "{0}": the name "{1}" is already used.'
    EndpointCount          = 'Too many endpoints ({0}): at most {1}.'

    # Results.
    Truncated              = 'The error text has {0:n0} characters, more than the library analyses: only its first part (1 MiB) was classified.'
    ScanTruncated          = '{0}: only the first {1} hits are listed in Hits; HitCount and Counts count all {2}.'

    # Files.
    PathNotFound           = 'Cannot find the file "{0}": it does not exist.'
    NoFileMatches          = 'No file matches "{0}".'
    BadPath                = 'Cannot resolve the path "{0}": {1}'
    NotFileSystem          = 'The path "{0}" is on the {1} provider; only files can be scanned.'
    PathIsDirectory        = '"{0}" is a directory; give the files in it, for example "{1}".'
    NotRegularFile         = '"{0}" is not a regular file (a named pipe, a socket or a device): it is not read.'
    FileReadFailed         = 'Cannot read "{0}": {1}'

    # Get-CsOnlineConnectorProblem.
    ProblemNotFound        = 'No problem has the id "{0}". Known ids: {1}.'
    UnknownFamily          = 'There is no problem family "{0}": the families are {1}.'

    # -Verbose.
    VerboseLibrary         = 'csod: library {0} (version {1}), output language "{2}"'
    VerboseHostFacts       = 'csod: gathering host facts (edition, execution policy, sessions, modules, culture)'
    VerboseProbes          = 'csod: running the probes concurrently (time bound: {0})'
    VerboseDefaultBound    = 'the library default'
    VerboseFindings        = 'csod: {0} findings, {1} problem(s), {2} warning(s) in {3} ms'
    VerboseRecognised      = 'csod: recognised {0} (confidence {1})'
    VerboseNotRecognised   = 'csod: not one of the known connector problems'
    VerboseClassifying     = 'csod: classifying {0} characters of text'
    VerboseError           = 'csod: error {0} ({1}), HResult {2}, command {3}'
    VerboseCleaned         = 'csod: {0} NUL or unpaired surrogate character(s) replaced before classifying'
    VerboseScanning        = 'csod: scanning {0} ({1:n0} bytes) in chunks of {2:n0} bytes'
    VerboseScanned         = 'csod: {0}: {1} encoding, {2:n0} lines, {3} hit(s) ({4}) in {5:n2} s ({6:n1} MB/s)'
    VerboseNoKnownError    = 'no known error'
    VerboseSkipDirectory   = 'csod: skipping the directory {0}'
    VerbosePolicyFailed    = 'csod: Get-ExecutionPolicy failed: {0}'
    VerboseCatalog         = 'csod: catalog in "{0}" from {1}'

    # Write-Progress.
    ProgressGathering      = 'Gathering what PowerShell knows about this host'
    ProgressProbesForError = 'Classifying the error and running the probes relevant to it'
    ProgressProbes         = 'Running the probes (network, WinRM, sign-in assistant, proxy...)'
    ProgressReading        = 'Reading the findings'
    ProgressScanning       = 'Scanning {0}'
    ProgressScanBytes      = '{0:n0} of {1:n0} MB'
}
