# CsOnlineDiagnostics モジュールの日本語のメッセージ (en-US/CsOnlineDiagnostics.Strings.psd1
# と同じキー)。Import-LocalizedData で読み込まれます。
@{
    # ネイティブ ライブラリの読み込み (Import-Module)。
    LibraryNotFound        = 'csod ネイティブ ライブラリ ({1} 用の {0}) が見つかりません。確認した場所: {2}。ソースで "cargo build --release" を実行してビルドするか、パッケージ化されたモジュール (scripts/package) をインストールするか、$env:CSOD_LIBRARY にその絶対パスを設定してください。'
    LibraryNotFoundAction  = 'このプラットフォーム用のネイティブ ライブラリをビルドまたはインストールしてください。'
    LibraryLoadFailed      = 'csod ネイティブ ライブラリ {0} を読み込めませんでした: {1} ({2} 用にビルドされていますか?)'
    AbiMismatch            = 'csod ネイティブ ライブラリ {0} の ABI バージョンは {1} ですが、このモジュール (CsOnlineDiagnostics {2}) には ABI バージョン {3} が必要です。ライブラリとモジュールを同じビルドからインストールしてください。'
    AbiMismatchAction      = 'ライブラリを再ビルドするか、モジュールを再インストールして、両方を同じバージョンにしてください。'
    FunctionMissing        = 'csod ネイティブ ライブラリ {0} (バージョン {1}) は {2} をエクスポートしていません。このモジュールより古いライブラリです。再ビルドまたは再インストールしてください。'
    NoDiagnose             = 'このビルドのネイティブ ライブラリはチェックを実行できません (csod_diagnose がありません)。エラーはチェックなしで分類されます。'

    # 入力。
    NullInput              = '入力が $null です。診断するエラーがありません (エラーが発生するまで $Error[0] は $null です)。ErrorRecord、例外、エラーのテキスト、またはファイルをパイプで渡してください。'
    NoInput                = 'パイプラインから何も渡されませんでした (空のコレクション)。診断するものがありません。正常性チェックを行うには、入力なしで Test-CsOnlineConnector を実行してください。'
    UnsupportedInput       = '{0} は診断できません。ErrorRecord (catch ブロックの $_、$Error[0])、例外、エラーのテキスト、または Get-ChildItem のファイルをパイプで渡してください。'
    EmptyMessage           = 'メッセージが空です。分類するものがありません。'

    # パラメーター。
    UnknownLanguage        = '言語 "{0}" のテキストはありません。出力は英語になります (使用可能: {1})。'
    EndpointSyntax         = 'エンドポイント "{0}": ホスト、ホスト:ポート、[IPv6]:ポート、または 名前=ホスト:ポート の形式で指定してください。'
    EndpointPort           = 'エンドポイント "{0}": ポートは 1 から 65535 の範囲で指定してください。'
    EndpointHost           = 'エンドポイント "{0}": "{1}" はホスト名でもアドレスでもありません。'
    EndpointName           = 'エンドポイント "{0}": 名前は 1 から 64 文字の英字、数字、"-"、"_"、"." で指定してください。'
    EndpointTwice          = 'エンドポイント "{0}": 名前 "{1}" は既に使用されています。'
    EndpointCount          = 'エンドポイントが多すぎます ({0} 個)。最大 {1} 個です。'

    # 結果。
    Truncated              = 'エラーのテキストは {0:n0} 文字あり、ライブラリが分析する長さを超えています。先頭部分 (1 MiB) だけが分類されました。'
    ScanTruncated          = '{0}: Hits には最初の {1} 件だけが含まれます。HitCount と Counts はすべて ({2} 件) を数えています。'

    # ファイル。
    PathNotFound           = 'ファイル "{0}" が見つかりません。存在しません。'
    NoFileMatches          = '"{0}" に一致するファイルはありません。'
    BadPath                = 'パス "{0}" を解決できません: {1}'
    NotFileSystem          = 'パス "{0}" は {1} プロバイダーのものです。スキャンできるのはファイルだけです。'
    PathIsDirectory        = '"{0}" はディレクトリです。その中のファイルを指定してください (例: "{1}")。'
    NotRegularFile         = '"{0}" は通常のファイルではありません (名前付きパイプ、ソケット、またはデバイス)。読み込みません。'
    FileReadFailed         = '"{0}" を読み込めません: {1}'

    # Get-CsOnlineConnectorProblem。
    ProblemNotFound        = 'ID が "{0}" の問題はありません。既知の ID: {1}。'
    UnknownFamily          = '問題のファミリ "{0}" はありません。ファミリは {1} です。'

    # -Verbose。
    VerboseLibrary         = 'csod: ライブラリ {0} (バージョン {1})、出力言語 "{2}"'
    VerboseHostFacts       = 'csod: ホストの情報を収集しています (エディション、実行ポリシー、セッション、モジュール、カルチャ)'
    VerboseProbes          = 'csod: チェックを並行して実行しています (制限時間: {0})'
    VerboseDefaultBound    = 'ライブラリの既定値'
    VerboseFindings        = 'csod: 結果 {0} 件、問題 {1} 件、警告 {2} 件 ({3} ms)'
    VerboseRecognised      = 'csod: {0} と判定しました (信頼度 {1})'
    VerboseNotRecognised   = 'csod: 既知のコネクタの問題ではありません'
    VerboseClassifying     = 'csod: {0} 文字のテキストを分類しています'
    VerboseError           = 'csod: エラー {0} ({1})、HResult {2}、コマンド {3}'
    VerboseCleaned         = 'csod: 分類の前に NUL 文字または対になっていないサロゲート文字を {0} 個置き換えました'
    VerboseScanning        = 'csod: {0} ({1:n0} バイト) を {2:n0} バイトずつスキャンしています'
    VerboseScanned         = 'csod: {0}: エンコード {1}、{2:n0} 行、{3} 件 ({4})、{5:n2} 秒 ({6:n1} MB/秒)'
    VerboseNoKnownError    = '既知のエラーなし'
    VerboseSkipDirectory   = 'csod: ディレクトリ {0} をスキップします'
    VerbosePolicyFailed    = 'csod: Get-ExecutionPolicy が失敗しました: {0}'
    VerboseCatalog         = 'csod: "{0}" のカタログ ({1})'

    # Write-Progress。
    ProgressGathering      = 'このホストについて PowerShell が把握している情報を収集しています'
    ProgressProbesForError = 'エラーを分類し、関連するチェックを実行しています'
    ProgressProbes         = 'チェックを実行しています (ネットワーク、WinRM、サインイン アシスタント、プロキシ...)'
    ProgressReading        = '結果を読み取っています'
    ProgressScanning       = '{0} をスキャンしています'
    ProgressScanBytes      = '{0:n0} MB / {1:n0} MB'
}
