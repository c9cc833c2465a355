//! module_version_mismatch beyond "a parameter of a connection cmdlet, not
//! found" (issue 13): the other ways an admin meets a Microsoft 365 module
//! of the wrong version, and the neighbours that must not become one.
//! Texts are real (source beside each) or built from PowerShell's own
//! resource strings (github PowerShell/PowerShell, resources/<lang>/Modules.<lang>.resx).

#[path = "common/top.rs"]
mod top;
use top::top;

const MISMATCH: &str = "module_version_mismatch";

#[test]
fn a_module_part_of_another_version_is_a_version_mismatch() {
    for text in [
        // Microsoft365DSC #1152: a Graph sub-module wants another Microsoft.Graph.Authentication.
        "Import-Module : The required module 'Microsoft.Graph.Authentication' with version '1.4.2' is not loaded. Load the \nmodule or remove the module from 'RequiredModules' in the file 'C:\\Program \nFiles\\WindowsPowerShell\\Modules\\Microsoft.Graph.Planner\\1.4.2\\Microsoft.Graph.Planner.psd1'.",
        // msgraph-sdk-powershell #189.
        "Get-MgUser : Could not load file or assembly 'Microsoft.Graph.Authentication, Version=0.2.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35' or one of its dependencies. The system cannot find the file specified.",
        // A PnP setup script's console (search index id 31262234357).
        "     | Could not load file or assembly 'Microsoft.Graph.Authentication, Version=2.29.1.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35'. Assembly with same name is already loaded",
        // msgraph-sdk-powershell #187.
        "    Type       : System.MissingMethodException\n    Message    : Method not found: 'System.Net.Http.HttpClient\nMicrosoft.Graph.PowerShell.Authentication.Helpers.HttpHelpers.GetGraphHttpClient(Microsoft.Graph.PowerShell.Authentication.IAuthContext)'.",
    ] {
        assert_eq!(top(text).as_deref(), Some(MISMATCH), "{}", text);
    }
}

#[test]
fn a_version_the_powershell_edition_cannot_run_is_a_version_mismatch() {
    for text in [
        // office-docs-powershell #8242: ExchangeOnlineManagement 2.0.3 in PowerShell 7.
        "New-ExoPSSession: C:\\Users\\User\\Documents\\PowerShell\\Modules\\ExchangeOnlineManagement\\2.0.3\\ExchangeOnlineManagement.psm1:426:30\nLine |\n 426 |  … PSSession = New-ExoPSSession -ExchangeEnvironmentName $ExchangeEnviro …\n     |                ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n     | Could not load type 'System.Security.Cryptography.SHA256Cng' from assembly 'System.Core, Version=4.0.0.0, Culture=neutral, PublicKeyToken=",
        // azure-functions-powershell-worker #701: no cmdlet name, the module's assembly instead.
        "EXCEPTION: Could not load type 'System.Security.Cryptography.SHA256Cng' from assembly 'System.Core, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089'..TargetSite     :Name          : GetAccessTokenDeclaringType : Microsoft.Exchange.Management.AdminApiProvider.Authentication.UserTokenProvider, Microsoft.Exchange.Management.AdminApiProvider, Version=17.0.0.0, Culture=neutral",
    ] {
        assert_eq!(top(text).as_deref(), Some(MISMATCH), "{}", text);
    }
    // The same missing type for a module that is not one of ours
    // (Intune-PowerShell-SDK #92).
    assert_ne!(
        top("Connect-MSGraph: Could not load type 'System.Security.Cryptography.SHA256Cng' from assembly 'System.Core, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089'.").as_deref(),
        Some(MISMATCH)
    );
}

#[test]
fn a_version_the_service_retired_is_a_version_mismatch() {
    // Microsoft365DSC #2094.
    let text = "Processing data from remote server api.interfaces.records.teams.microsoft.com failed with the following error message: Teams PowerShell Module versions older than 4.x.x are retired";
    assert_eq!(top(text).as_deref(), Some(MISMATCH));
    // The module's banner recommending an update is not an error
    // (maester #655).
    assert_eq!(
        top("The latest EXO V3.7 module is released which includes significant memory improvements. You\u{2019}re currently using an older version and we recommend upgrading to V3.7 for enhanced performance."),
        None
    );
}

#[test]
fn disablewam_missing_from_the_module_is_the_version_not_the_broker() {
    // ExchangeOnlineManagement 3.7.2 dropped -DisableWAM (the parameter
    // churn of docs/facts.md#module_version_mismatch): ParameterBinder's
    // text, not a WAM failure.
    assert_eq!(
        top("Connect-ExchangeOnline : A parameter cannot be found that matches parameter name 'DisableWAM'.").as_deref(),
        Some(MISMATCH)
    );
    // The broker's own failure stays the broker's (the WAM support
    // article, docs/facts.md#wam_broker_error).
    assert_eq!(
        top("Connect-ExchangeOnline: A window handle must be configured. See https://aka.ms/msal-net-wam#parent-window-handles").as_deref(),
        Some("wam_broker_error")
    );
}

/// PowerShell's RequiredModuleNotLoadedWrongVersion ({0} manifest, {1}
/// module, {2} version) and ModuleWithVersionNotFound ({0} module, {1}
/// version) in the languages PowerShell localizes them.
const REQUIRED_WRONG_VERSION: &[(&str, &str)] = &[
    ("en", "The required module '{1}' with version '{2}' is not loaded. Load the module or remove the module from 'RequiredModules' in the file '{0}'."),
    ("de", "Das erforderliche Modul \u{201E}{1}\u{201C} mit der Version \u{201E}{2}\u{201C} ist nicht geladen. Laden Sie das Modul, oder entfernen Sie es aus \u{201E}RequiredModules\u{201C} in der Datei \u{201E}{0}\u{201C}."),
    ("es", "El módulo necesario \"{1}\" con la versión \"{2}\" no está cargado. Cargue el módulo o quítelo de \"RequiredModules\" en el archivo \"{0}\"."),
    ("fr", "Le module requis « {1} » avec la version « {2} » n\u{2019}est pas chargé. Chargez le module ou supprimez-le de « RequiredModules » dans le fichier « {0} »."),
    ("it", "Il modulo obbligatorio '{1}' con versione '{2}' non è caricato. Caricare il modulo oppure rimuoverlo da 'RequiredModules' nel file '{0}'."),
    ("ja", "バージョン '{2}' の必要なモジュール '{1}' は読み込まれていません。モジュールを読み込むか、ファイル '{0}' の 'RequiredModules' からモジュールを削除します。"),
    ("ko", "버전이 '{2}'인 필수 모듈 '{1}'이(가) 로드되지 않았습니다. 모듈을 로드하거나 파일 '{0}'의 'RequiredModules'에서 해당 모듈을 제거하세요."),
    ("pt-BR", "O módulo necessário \"{1}\" com a versão \"{2}\" não está carregado. Carregue o módulo ou remova-o de \"RequiredModules\" no arquivo \"{0}\"."),
    ("ru", "Требуемый модуль \"{1}\" версии \"{2}\" не загружен. Загрузите модуль или удалите его из \"RequiredModules\" в файле \"{0}\"."),
    ("zh-Hans", "未加载版本 \"{2}\" 的所需模块 \"{1}\"。请加载该模块，或从文件 \"{0}\" 中的 \"RequiredModules\" 删除该模块。"),
    ("zh-Hant", "未載入版本為 '{2}' 的必要模組 '{1}'。請載入該模組，或從檔案 '{0}' 中的 'RequiredModules' 移除該模組。"),
];

const WITH_VERSION_NOT_FOUND: &[(&str, &str)] = &[
    ("en", "The specified module '{0}' with version '{1}' was not loaded because no valid module file was found in any module directory."),
    // (de says MaximumVersion where the others say version.)
    ("de", "Das angegebene Modul \u{201E}{0}\u{201C} mit MaximumVersion \u{201E}{1}\u{201C} wurde nicht geladen, da in keinem Modulverzeichnis eine gültige Moduldatei gefunden wurde."),
    ("es", "El módulo especificado \"{0}\" con la versión \"{1}\" no se cargó porque no se encontró ningún archivo de módulo válido en ningún directorio de módulo."),
    ("fr", "Le module spécifié « {0} » avec la version « {1} » n\u{2019}a pas été chargé, car aucun fichier de module valide n\u{2019}a été trouvé dans aucun répertoire de module."),
    ("it", "Il modulo specificato '{0}' con versione '{1}' non è stato caricato perché nelle directory dei moduli non è stato trovato alcun file di modulo valido."),
    ("ja", "バージョン '{1}' で指定されたモジュール '{0}' は、モジュール ディレクトリに有効なモジュール ファイルが見つからなかったため読み込まれませんでした。"),
    ("ko", "버전이 '{0}'인 지정된 모듈 '{1}'은(는) 어떤 모듈 디렉터리에서도 유효한 모듈 파일을 찾을 수 없어 로드되지 않았습니다."),
    ("pt-BR", "O módulo especificado \"{0}\" com a versão \"{1}\" não foi carregado porque nenhum arquivo de módulo válido foi encontrado em nenhum diretório de módulo."),
    ("ru", "Указанный модуль \"{0}\" с версией \"{1}\" не был загружен, так как ни в одном каталоге модулей не найден допустимый файл модуля."),
    ("zh-Hans", "未加载指定的模块 \"{0}\" (版本为 \"{1}\")，因为在所有模块目录中都未找到有效的模块文件。"),
    ("zh-Hant", "未載入版本為 '{0}' 的指定模組 '{1}'，因為在任何模組目錄中都找不到有效的模組檔案。"),
];

#[test]
fn powershells_module_version_errors_in_every_language() {
    let manifest = "C:\\Program Files\\WindowsPowerShell\\Modules\\Microsoft.Graph.Users\\2.10.0\\Microsoft.Graph.Users.psd1";
    for (lang, s) in REQUIRED_WRONG_VERSION {
        let text = format!(
            "Import-Module : {}",
            s.replace("{0}", manifest)
                .replace("{1}", "Microsoft.Graph.Authentication")
                .replace("{2}", "2.10.0")
        );
        assert_eq!(top(&text).as_deref(), Some(MISMATCH), "{}: {}", lang, text);
        // The same message for a module that is not a Microsoft 365 one.
        let other = format!(
            "Import-Module : {}",
            s.replace("{0}", "C:\\Program Files\\WindowsPowerShell\\Modules\\PowerShellGet\\1.6.0\\PowerShellGet.psd1")
                .replace("{1}", "PackageManagement")
                .replace("{2}", "1.1.7.0")
        );
        assert_eq!(top(&other), None, "{}: {}", lang, other);
    }
    for (lang, s) in WITH_VERSION_NOT_FOUND {
        let text = format!(
            "Import-Module : {}",
            s.replace("{0}", "ExchangeOnlineManagement")
                .replace("{1}", "3.0.0")
        );
        assert_eq!(top(&text).as_deref(), Some(MISMATCH), "{}: {}", lang, text);
    }
    // Without a version the module itself is missing.
    assert_eq!(
        top("Import-Module : The specified module 'ExchangeOnlineManagement' was not loaded because no valid module file was found in any module directory.").as_deref(),
        Some("module_not_installed")
    );
}

#[test]
fn powershell_7s_module_not_found_wording_in_italian_and_chinese() {
    // Modules.it.resx and Modules.zh-Hans.resx ModuleNotFound.
    for text in [
        "Import-Module : Il modulo specificato 'MicrosoftTeams' non è stato caricato perché nelle directory dei moduli non è stato trovato alcun file di modulo valido.",
        "Import-Module : 未加载指定的模块 \"MicrosoftTeams\"，因为在所有模块目录中都未找到有效的模块文件。",
    ] {
        assert_eq!(top(text).as_deref(), Some("module_not_installed"), "{}", text);
    }
}

#[test]
fn other_version_and_assembly_errors_are_not_a_version_mismatch() {
    for text in [
        // Az's own version check (Azure-Player/azure.datafactory.devops #149).
        "     | This module requires Az.Accounts version 2.12.5. An earlier version of\n     | Az.Accounts is imported in the current PowerShell session. Please open a\n     | new session before importing this module.",
        // Another module's assembly around a Graph cmdlet (msgraph-sdk-powershell #225, #2738, #2880).
        "Connect-Graph : Could not load file or assembly 'System.Net.Http, Version=4.1.1.2, \nCulture=neutral, PublicKeyToken=b03f5f7f11d50a3a' or one of its dependencies. The system \ncannot find the file specified.\n    + CategoryInfo          : NotSpecified: (:) [Connect-Graph], FileNotFoundException\n    + FullyQualifiedErrorId : System.IO.FileNotFoundException,Microsoft.Graph.PowerShell.Authentication.Cmdlets.ConnectGraph",
        "Connect-Graph : Method not found: Void Azure.Core.TokenRequestContext..ctor",
        "Import-Module : Could not load file or assembly 'Azure.Core, Version=1.39.0.0, Culture=neutral, PublicKeyToken=92742159e12e44c8' or one of its dependencies. The system cannot find the file specified.\n+ Import-Module Microsoft.Graph.Authentication -Debug",
        // A type of the module whose interface another loaded assembly
        // changed (Microsoft365DSC #7095): a conflict, not the module's parts.
        "Import-Module : Method 'GetTokenAsync' in type 'Microsoft.Graph.PowerShell.Authentication.Core.Utilities.UserProvidedTokenCredential' from assembly 'Microsoft.Graph.Authentication.Core, Version=2.36.1.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35' does not have an implementation.\n    + CategoryInfo          : NotSpecified: (:) [Import-Module], TypeLoadException",
        // A parameter of a cmdlet that is not a connection cmdlet
        // (office-docs-powershell #11445).
        "Set-CASMailbox : A parameter cannot be found that matches parameter name 'OneWinNativeOutlookEnabled'.\n    + CategoryInfo          : InvalidArgument: (:) [Set-CASMailbox], ParameterBindingException\n    + FullyQualifiedErrorId : NamedParameterNotFound,Set-CASMailbox",
        // A cmdlet that is not there after connecting (office-docs-powershell #9174).
        "Get-ATPPolicyForO365 : The term 'Get-ATPPolicyForO365' is not recognized as the name of a cmdlet, function, script file, or operable program.",
    ] {
        assert_ne!(top(text).as_deref(), Some(MISMATCH), "{}", text);
    }
    // MSAL's method missing is the assembly conflict (m365assessment #22).
    assert_eq!(
        top("     | Could not connect to Exchange Online, exception is 'Method not found:\n     | 'Microsoft.Identity.Client.PublicClientApplicationBuilder\n     | Microsoft.Identity.Client.Broker.BrokerExtension.WithBroker(Microsoft.Identity.Client.PublicClientApplicationBuilder, Microsoft.Identity.Client.BrokerOptions)'.'").as_deref(),
        Some("assembly_load_conflict")
    );
}

#[test]
fn a_script_for_microsoft_graph_1x_on_2x_is_a_version_mismatch() {
    for text in [
        // LazyAdmin #23: profiles were dropped in Graph PowerShell 2.0.
        "Select-MgProfile: C:\\Program Files\\PowerShell\\Scripts\\Get-MgMFAStatus.ps1:69\nLine |\n  69 |    Select-MgProfile Beta\n     |    ~~~~~~~~~~~~~~~~\n     | The term 'Select-MgProfile' is not recognized as a name of a cmdlet, function, script file, or executable\n     | program.",
        // AzureAD/IdentityProtectionTools #8.
        "Get-MgProfile : The term 'Get-MgProfile' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
        // maester #618: -NoWelcome came with 2.4.0.
        "Connect-MgGraph: C:\\...\\Connect-Maester.ps1:123\nLine |\n 123 |  … -NoWelcome -UseDev …\n     | A parameter cannot be found that matches parameter name 'NoWelcome'.",
        // msgraph-sdk-powershell #2219: -AccessToken is a SecureString from 2.0.
        "Connect-MgGraph : Cannot bind parameter 'AccessToken'. Cannot convert the 'tokeninfo' of type \"System.String\" to type \"System.Security.SecureString\".\n    + FullyQualifiedErrorId : CannotConvertArgumentNoMessage,Microsoft.Graph.PowerShell.Authentication.Cmdlets.ConnectMgGraph",
    ] {
        assert_eq!(top(text).as_deref(), Some(MISMATCH), "{}", text);
    }
}

#[test]
fn other_securestring_bindings_and_profile_typos_are_not_a_version_mismatch() {
    for text in [
        // A password passed as a string: the cmdlet never took one.
        "New-LocalUser : Cannot bind parameter 'Password'. Cannot convert the \"P@ss\" value of type \"System.String\" to type \"System.Security.SecureString\".",
        // Office365itpros #53: a wrong argument to a cmdlet that exists (1.x).
        "Select-MgProfile: C:\\Users\\x\\ReportMFAStatusAdmins.PS1:8:18\nLine |\n   8 |  Select-MgProfile -Beta\n     |                   ~~~~~\n     | A parameter cannot be found that matches parameter name 'Beta'.",
        // Another name that starts like a removed cmdlet.
        "Select-MgProfiles : The term 'Select-MgProfiles' is not recognized as the name of a cmdlet, function, script file, or operable program.",
    ] {
        assert_ne!(top(text).as_deref(), Some(MISMATCH), "{}", text);
    }
}

#[test]
fn a_graph_sub_module_calling_another_authentication_version_is_a_version_mismatch() {
    // msgraph-sdk-powershell #2745: Microsoft.Graph.Users of a newer
    // version calls a constructor the loaded Microsoft.Graph.Authentication
    // lacks (the module's own type, its own namespace).
    assert_eq!(
        top("Get-MgUser : Method not found: 'Void Microsoft.Graph.Authentication.AzureIdentityAccessTokenProvider..ctor(Azure.Core.TokenCredential, System.String[], Microsoft.Kiota.Authentication.Azure.ObservabilityOptions, System.String[])'.\nAt line:1 char:1\n+ Get-MgUser").as_deref(),
        Some(MISMATCH)
    );
    // A method of a shared library not found (Az.Accounts beside the Graph
    // modules, azure-powershell #27378) names no Microsoft 365 type.
    assert_ne!(
        top("WARNING: Unable to acquire token for tenant '' with error 'Method not found: 'Void Azure.Identity.Broker.SharedTokenCacheCredentialBrokerOptions..ctor(Azure.Identity.TokenCachePersistenceOptions)'.'").as_deref(),
        Some(MISMATCH)
    );
}

#[test]
fn a_graph_sub_module_outside_a_tools_version_range_is_a_version_mismatch() {
    // ScubaGear #463: the tool pins Microsoft.Graph.Applications to 1.x.
    assert_eq!(
        top("Import-Module : No acceptable installed version found for module: Microsoft.Graph.Applications\n        Required Min Version: 1.14.0 | Max Version: 1.99.99999\n        Run Get-InstalledModule to see a list of currently installed modules").as_deref(),
        Some(MISMATCH)
    );
    // The same check for a module that is not a Microsoft 365 admin module
    // (PnP.PowerShell, pinned in the same tool's RequiredVersions.ps1,
    // ScubaGear #943).
    assert_ne!(
        top("Import-Module : No acceptable installed version found for module: PnP.PowerShell\n        Required Min Version: 1.12.0 | Max Version: 1.99.99999\n        Run Get-InstalledModule to see a list of currently installed modules").as_deref(),
        Some(MISMATCH)
    );
    // The .NET Graph SDK (an application's own assembly, not the PowerShell
    // module) of another version: msgraph-sdk-dotnet #1854.
    assert_ne!(
        top("System.TypeLoadException: Could not load type 'Microsoft.Graph.IAuthenticationProviderOption' from assembly 'Microsoft.Graph.Core, Version=3.0.6.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35'.").as_deref(),
        Some(MISMATCH)
    );
}

#[test]
fn a_parameter_of_another_edition_or_a_later_version_is_a_version_mismatch() {
    for text in [
        // Azure/azure-powershell #15652: -MembershipRule is AzureADPreview's.
        "New-AzureADMSGroup : A parameter cannot be found that matches parameter name 'MembershipRule'.",
        // azure-docs #5468.
        "Set-AzureADMSGroup : A parameter cannot be found that matches parameter name 'MembershipRuleProcessingState'.",
        // office-docs-powershell #10356: only from MicrosoftTeams 4.9.1.
        "A parameter cannot be found that matches parameter name 'EnablePrivateTeamDiscovery'",
    ] {
        assert_eq!(top(text).as_deref(), Some(MISMATCH), "{}", text);
    }
    // A misspelt name is a typo, not a version.
    assert_eq!(
        top("New-AzureADMSGroup : A parameter cannot be found that matches parameter name 'MembershipRules'."),
        None
    );
    // A parameter the service side no longer takes, after a successful
    // connection (OfficeDocs-Exchange #972): not the module's version.
    assert_eq!(
        top("A parameter cannot be found that matches parameter name 'OWAEnabled'.\n    + CategoryInfo          : InvalidArgument: (:) [Set-CASMailbox], ParameterBindingException\n    + FullyQualifiedErrorId : NamedParameterNotFound,Set-CASMailbox\n    + PSComputerName        : outlook.office365.com"),
        None
    );
}
