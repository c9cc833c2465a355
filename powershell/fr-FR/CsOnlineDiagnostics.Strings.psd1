# Messages du module CsOnlineDiagnostics en français (mêmes clés que
# en-US/CsOnlineDiagnostics.Strings.psd1), lus par Import-LocalizedData.
@{
    # Chargement de la bibliothèque native (Import-Module).
    LibraryNotFound        = 'La bibliothèque native csod ({0} pour {1}) est introuvable. Emplacements examinés : {2}. Compilez-la avec « cargo build --release » dans les sources, installez le module empaqueté (scripts/package) ou indiquez son chemin absolu dans $env:CSOD_LIBRARY.'
    LibraryNotFoundAction  = 'Compilez ou installez la bibliothèque native pour cette plateforme.'
    LibraryLoadFailed      = 'La bibliothèque native csod {0} n''a pas pu être chargée : {1} (est-elle compilée pour {2} ?)'
    AbiMismatch            = 'La bibliothèque native csod {0} a l''ABI version {1}, mais ce module (CsOnlineDiagnostics {2}) demande l''ABI version {3}. Installez la bibliothèque et le module d''une même version.'
    AbiMismatchAction      = 'Recompilez la bibliothèque ou réinstallez le module pour qu''ils soient de la même version.'
    FunctionMissing        = 'La bibliothèque native csod {0} (version {1}) n''exporte pas {2} : elle est plus ancienne que ce module. Recompilez-la ou réinstallez-la.'
    NoDiagnose             = 'Cette version de la bibliothèque native ne sait pas lancer les sondes (pas de csod_diagnose) : l''erreur est classée sans elles.'

    # Entrée.
    NullInput              = 'L''entrée est $null : il n''y a pas d''erreur à diagnostiquer ($Error[0] vaut $null tant qu''aucune erreur n''est survenue). Passez un ErrorRecord, une exception, le texte d''une erreur ou des fichiers.'
    NoInput                = 'Rien n''est arrivé par le pipeline (une collection vide) : il n''y a rien à diagnostiquer. Pour le bilan de santé, lancez Test-CsOnlineConnector sans entrée.'
    UnsupportedInput       = 'Impossible de diagnostiquer un objet {0} : passez un ErrorRecord ($_ dans un bloc catch, $Error[0]), une exception, le texte d''une erreur ou des fichiers de Get-ChildItem.'
    EmptyMessage           = 'Le message est vide : rien à classer.'

    # Paramètres.
    UnknownLanguage        = 'Il n''y a pas de textes dans la langue « {0} » : la sortie est en anglais (disponibles : {1}).'
    EndpointSyntax         = 'Point de terminaison « {0} » : écrivez hôte, hôte:port, [IPv6]:port ou nom=hôte:port.'
    EndpointPort           = 'Point de terminaison « {0} » : le port doit être compris entre 1 et 65535.'
    EndpointHost           = 'Point de terminaison « {0} » : « {1} » n''est pas un nom d''hôte ni une adresse.'
    EndpointName           = 'Point de terminaison « {0} » : un nom compte 1 à 64 lettres, chiffres, « - », « _ » ou « . ».'
    EndpointTwice          = 'Point de terminaison « {0} » : le nom « {1} » est déjà utilisé.'
    EndpointCount          = 'Trop de points de terminaison ({0}) : {1} au plus.'

    # Résultats.
    Truncated              = 'Le texte de l''erreur compte {0:n0} caractères, plus que ce qu''analyse la bibliothèque : seul son début (1 Mio) a été classé.'
    ScanTruncated          = '{0} : seules les {1} premières occurrences figurent dans Hits ; HitCount et Counts les comptent toutes ({2}).'

    # Fichiers.
    PathNotFound           = 'Fichier « {0} » introuvable : il n''existe pas.'
    NoFileMatches          = 'Aucun fichier ne correspond à « {0} ».'
    BadPath                = 'Impossible de résoudre le chemin « {0} » : {1}'
    NotFileSystem          = 'Le chemin « {0} » relève du fournisseur {1} : seuls des fichiers peuvent être analysés.'
    PathIsDirectory        = '« {0} » est un dossier ; indiquez les fichiers qu''il contient, par exemple « {1} ».'
    NotRegularFile         = '« {0} » n''est pas un fichier ordinaire (un canal nommé, un socket ou un périphérique) : il n''est pas lu.'
    FileReadFailed         = 'Impossible de lire « {0} » : {1}'

    # Get-CsOnlineConnectorProblem.
    ProblemNotFound        = 'Aucun problème n''a l''identifiant « {0} ». Identifiants connus : {1}.'
    UnknownFamily          = 'Il n''y a pas de famille de problèmes « {0} » : les familles sont {1}.'

    # -Verbose.
    VerboseLibrary         = 'csod : bibliothèque {0} (version {1}), langue de sortie « {2} »'
    VerboseHostFacts       = 'csod : collecte des informations de l''hôte (édition, stratégie d''exécution, sessions, modules, culture)'
    VerboseProbes          = 'csod : exécution des sondes en parallèle (limite de temps : {0})'
    VerboseDefaultBound    = 'celle de la bibliothèque'
    VerboseFindings        = 'csod : {0} constats, {1} problème(s), {2} avertissement(s) en {3} ms'
    VerboseRecognised      = 'csod : reconnu {0} (confiance {1})'
    VerboseNotRecognised   = 'csod : ce n''est pas un des problèmes connus du connecteur'
    VerboseClassifying     = 'csod : classement de {0} caractères de texte'
    VerboseError           = 'csod : erreur {0} ({1}), HResult {2}, commande {3}'
    VerboseCleaned         = 'csod : {0} caractère(s) NUL ou demi-paire(s) de substitution remplacé(s) avant le classement'
    VerboseScanning        = 'csod : analyse de {0} ({1:n0} octets) par blocs de {2:n0} octets'
    VerboseScanned         = 'csod : {0} : encodage {1}, {2:n0} lignes, {3} occurrence(s) ({4}) en {5:n2} s ({6:n1} Mo/s)'
    VerboseNoKnownError    = 'aucune erreur connue'
    VerboseSkipDirectory   = 'csod : dossier {0} ignoré'
    VerbosePolicyFailed    = 'csod : échec de Get-ExecutionPolicy : {0}'
    VerboseCatalog         = 'csod : catalogue en « {0} » depuis {1}'

    # Write-Progress.
    ProgressGathering      = 'Collecte de ce que PowerShell sait de cet hôte'
    ProgressProbesForError = 'Classement de l''erreur et exécution des sondes qui la concernent'
    ProgressProbes         = 'Exécution des sondes (réseau, WinRM, assistant de connexion, proxy...)'
    ProgressReading        = 'Lecture des constats'
    ProgressScanning       = 'Analyse de {0}'
    ProgressScanBytes      = '{0:n0} Mo sur {1:n0}'
}
