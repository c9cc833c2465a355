# Meldungen des Moduls CsOnlineDiagnostics auf Deutsch (dieselben Schlüssel
# wie en-US/CsOnlineDiagnostics.Strings.psd1), gelesen mit Import-LocalizedData.
@{
    # Laden der nativen Bibliothek (Import-Module).
    LibraryNotFound        = 'Die native csod-Bibliothek ({0} für {1}) wurde nicht gefunden. Gesucht in: {2}. Erstellen Sie sie mit „cargo build --release“ im Quellverzeichnis, installieren Sie das gepackte Modul (scripts/package), oder geben Sie ihren absoluten Pfad in $env:CSOD_LIBRARY an.'
    LibraryNotFoundAction  = 'Erstellen oder installieren Sie die native Bibliothek für diese Plattform.'
    LibraryLoadFailed      = 'Die native csod-Bibliothek {0} konnte nicht geladen werden: {1} (ist sie für {2} erstellt?)'
    AbiMismatch            = 'Die native csod-Bibliothek {0} hat die ABI-Version {1}, dieses Modul (CsOnlineDiagnostics {2}) benötigt aber die ABI-Version {3}. Installieren Sie Bibliothek und Modul aus demselben Build.'
    AbiMismatchAction      = 'Erstellen Sie die Bibliothek neu, oder installieren Sie das Modul neu, damit beide aus derselben Version stammen.'
    FunctionMissing        = 'Die native csod-Bibliothek {0} (Version {1}) exportiert {2} nicht; sie ist älter als dieses Modul. Erstellen oder installieren Sie sie neu.'
    NoDiagnose             = 'Dieser Build der nativen Bibliothek kann keine Prüfungen ausführen (kein csod_diagnose); der Fehler wird ohne sie eingeordnet.'

    # Eingabe.
    NullInput              = 'Die Eingabe ist $null: Es gibt keinen Fehler zu diagnostizieren ($Error[0] ist $null, solange kein Fehler aufgetreten ist). Übergeben Sie einen ErrorRecord, eine Ausnahme, Fehlertext oder Dateien.'
    NoInput                = 'Über die Pipeline kam nichts (eine leere Sammlung), es gibt also nichts zu diagnostizieren. Für die Integritätsprüfung führen Sie Test-CsOnlineConnector ohne Eingabe aus.'
    UnsupportedInput       = 'Ein Objekt vom Typ {0} kann nicht diagnostiziert werden: Übergeben Sie einen ErrorRecord ($_ in einem catch-Block, $Error[0]), eine Ausnahme, Fehlertext oder Dateien aus Get-ChildItem.'
    EmptyMessage           = 'Die Meldung ist leer: Es gibt nichts einzuordnen.'

    # Parameter.
    UnknownLanguage        = 'Für die Sprache „{0}“ gibt es keine Texte: Die Ausgabe erfolgt auf Englisch (verfügbar: {1}).'
    EndpointSyntax         = 'Endpunkt „{0}“: Schreiben Sie Host, Host:Port, [IPv6]:Port oder Name=Host:Port.'
    EndpointPort           = 'Endpunkt „{0}“: Der Port muss zwischen 1 und 65535 liegen.'
    EndpointHost           = 'Endpunkt „{0}“: „{1}“ ist weder ein Hostname noch eine Adresse.'
    EndpointName           = 'Endpunkt „{0}“: Ein Name besteht aus 1 bis 64 Buchstaben, Ziffern, „-“, „_“ oder „.“.'
    EndpointTwice          = 'Endpunkt „{0}“: Der Name „{1}“ wird bereits verwendet.'
    EndpointCount          = 'Zu viele Endpunkte ({0}): höchstens {1}.'

    # Ergebnisse.
    Truncated              = 'Der Fehlertext hat {0:n0} Zeichen, mehr als die Bibliothek analysiert: Nur sein Anfang (1 MiB) wurde eingeordnet.'
    ScanTruncated          = '{0}: Nur die ersten {1} Treffer stehen in Hits; HitCount und Counts zählen alle {2}.'

    # Dateien.
    PathNotFound           = 'Die Datei „{0}“ wurde nicht gefunden: Sie existiert nicht.'
    NoFileMatches          = 'Keine Datei entspricht „{0}“.'
    BadPath                = 'Der Pfad „{0}“ kann nicht aufgelöst werden: {1}'
    NotFileSystem          = 'Der Pfad „{0}“ gehört zum Anbieter {1}; nur Dateien können durchsucht werden.'
    PathIsDirectory        = '„{0}“ ist ein Verzeichnis; geben Sie die Dateien darin an, zum Beispiel „{1}“.'
    NotRegularFile         = '„{0}“ ist keine reguläre Datei (eine benannte Pipe, ein Socket oder ein Gerät): Sie wird nicht gelesen.'
    FileReadFailed         = '„{0}“ kann nicht gelesen werden: {1}'

    # Get-CsOnlineConnectorProblem.
    ProblemNotFound        = 'Kein Problem hat die ID „{0}“. Bekannte IDs: {1}.'
    UnknownFamily          = 'Es gibt keine Problemfamilie „{0}“: Die Familien sind {1}.'

    # -Verbose.
    VerboseLibrary         = 'csod: Bibliothek {0} (Version {1}), Ausgabesprache „{2}“'
    VerboseHostFacts       = 'csod: Angaben zum Host werden gesammelt (Edition, Ausführungsrichtlinie, Sitzungen, Module, Kultur)'
    VerboseProbes          = 'csod: Die Prüfungen laufen parallel (Zeitgrenze: {0})'
    VerboseDefaultBound    = 'die der Bibliothek'
    VerboseFindings        = 'csod: {0} Befunde, {1} Problem(e), {2} Warnung(en) in {3} ms'
    VerboseRecognised      = 'csod: {0} erkannt (Konfidenz {1})'
    VerboseNotRecognised   = 'csod: keines der bekannten Connectorprobleme'
    VerboseClassifying     = 'csod: {0} Zeichen Text werden eingeordnet'
    VerboseError           = 'csod: Fehler {0} ({1}), HResult {2}, Befehl {3}'
    VerboseCleaned         = 'csod: {0} NUL-Zeichen oder ungepaarte Ersatzzeichen vor dem Einordnen ersetzt'
    VerboseScanning        = 'csod: {0} ({1:n0} Bytes) wird in Blöcken von {2:n0} Bytes durchsucht'
    VerboseScanned         = 'csod: {0}: Codierung {1}, {2:n0} Zeilen, {3} Treffer ({4}) in {5:n2} s ({6:n1} MB/s)'
    VerboseNoKnownError    = 'kein bekannter Fehler'
    VerboseSkipDirectory   = 'csod: Verzeichnis {0} übersprungen'
    VerbosePolicyFailed    = 'csod: Get-ExecutionPolicy ist fehlgeschlagen: {0}'
    VerboseCatalog         = 'csod: Katalog in „{0}“ aus {1}'

    # Write-Progress.
    ProgressGathering      = 'Sammeln, was PowerShell über diesen Host weiß'
    ProgressProbesForError = 'Einordnen des Fehlers und Ausführen der zugehörigen Prüfungen'
    ProgressProbes         = 'Ausführen der Prüfungen (Netzwerk, WinRM, Anmelde-Assistent, Proxy...)'
    ProgressReading        = 'Lesen der Befunde'
    ProgressScanning       = 'Durchsuchen von {0}'
    ProgressScanBytes      = '{0:n0} von {1:n0} MB'
}
