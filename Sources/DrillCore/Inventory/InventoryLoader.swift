import Foundation
import Yams

/// Loads Ansible inventories: a YAML file, an INI file, or a folder of them, plus the `group_vars/` and
/// `host_vars/` folders beside them, with Ansible's rules.
///
/// Every problem in every file is collected before giving up, each with its file, line and column.
public enum InventoryLoader {
    /// The syntax of one inventory file.
    public enum Format: String, Sendable, CaseIterable {
        /// Ansible's YAML inventory (`all:` / `children:` / `hosts:` / `vars:`).
        case yaml
        /// Ansible's INI inventory (`[group]`, `[group:vars]`, `[group:children]`).
        case ini
        /// Decide from the text: YAML when it reads as a YAML mapping, INI otherwise (Ansible tries its YAML
        /// plugin first, then its INI plugin, for a file without a known extension).
        case automatic
    }

    /// File name endings Ansible skips in an inventory folder (`INVENTORY_IGNORE_EXTS`).
    public static let ignoredExtensions = [
        ".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".cfg", ".retry",
    ]
    /// Names Ansible never reads as inventory sources in a folder.
    public static let ignoredNames: Set<String> = ["host_vars", "group_vars", "vars_plugins"]
    /// Extensions of YAML files (Ansible's `yaml_extensions`).
    public static let yamlExtensions = [".yaml", ".yml", ".json"]

    /// Loads the inventory at `path`: a file, or a folder read as Ansible does (entries in name order,
    /// hidden files, `group_vars`, `host_vars` and ignored extensions skipped, sub-folders recursed).
    /// `group_vars/` and `host_vars/` beside the file (or inside the folder) are read too.
    ///
    /// - Throws: ``DiagnosticsError`` with every problem found, when the path is missing or unreadable or any
    ///   file has an error. Warnings alone do not throw; use ``load(path:warnings:)`` to see them.
    public static func load(path: String) throws(DiagnosticsError) -> Inventory {
        var warnings = Diagnostics()
        return try load(path: path, warnings: &warnings)
    }

    /// Loads the inventory at `path` (see ``load(path:)``) and hands back the warnings too.
    public static func load(path: String, warnings: inout Diagnostics) throws(DiagnosticsError) -> Inventory {
        var diagnostics = Diagnostics()
        var builder = InventoryBuilder()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DiagnosticsError(
                .error("no inventory at '\(path)': the file or folder does not exist", at: nil)
            )
        }
        if isDirectory.boolValue {
            loadFolder(path, builder: &builder, diagnostics: &diagnostics)
        } else {
            loadFile(path, builder: &builder, diagnostics: &diagnostics)
        }
        let base = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        loadVarsFolders(base: base.isEmpty ? "." : base, builder: &builder, diagnostics: &diagnostics)
        return try finish(builder, diagnostics, warnings: &warnings)
    }

    /// Loads one inventory from text, for tests and for callers that read the file themselves.
    ///
    /// - Parameters:
    ///   - text: the inventory's contents.
    ///   - file: the path to name in diagnostics.
    ///   - format: the syntax; `.automatic` decides from the text.
    /// - Throws: ``DiagnosticsError`` with every problem found when there is at least one error.
    public static func load(
        text: String,
        file: String,
        format: Format = .automatic
    ) throws(DiagnosticsError)
        -> Inventory
    {
        var warnings = Diagnostics()
        var diagnostics = Diagnostics()
        var builder = InventoryBuilder()
        parse(text: text, file: file, format: format, builder: &builder, diagnostics: &diagnostics)
        return try finish(builder, diagnostics, warnings: &warnings)
    }

    /// The format for a file, from its extension as Ansible's plugins decide (nil: try YAML, then INI).
    public static func format(forPath path: String) -> Format {
        let ext = (path as NSString).pathExtension.lowercased()
        if yamlExtensions.contains("." + ext) { return .yaml }
        if ext == "ini" { return .ini }
        return .automatic
    }

    /// Whether Ansible skips this folder entry when reading an inventory folder.
    public static func isIgnored(entry name: String) -> Bool {
        name.hasPrefix(".") || ignoredNames.contains(name) || ignoredExtensions.contains { name.hasSuffix($0) }
    }

    // MARK: - Internals

    private static func finish(
        _ builder: InventoryBuilder,
        _ diagnostics: Diagnostics,
        warnings: inout Diagnostics
    )
        throws(DiagnosticsError) -> Inventory
    {
        var diagnostics = diagnostics
        let inventory = builder.build()
        for name in inventory.groupOrder where inventory.hosts[name] != nil {
            diagnostics.warning(
                "'\(name)' is both a group and a host; patterns naming it select the host",
                at: inventory.hosts[name]?.location
            )
        }
        if diagnostics.hasErrors { throw DiagnosticsError(diagnostics) }
        warnings.append(contentsOf: diagnostics)
        return inventory
    }

    static func parse(
        text: String,
        file: String,
        format: Format,
        builder: inout InventoryBuilder,
        diagnostics: inout Diagnostics
    ) {
        var format = format == .automatic ? self.format(forPath: file) : format
        var yaml: YAMLSource?
        if format != .ini {
            do {
                let source = try YAMLSource(text: text, file: file)
                if format == .automatic, let root = source.root, case .mapping = root {
                    format = .yaml
                }
                yaml = source
            } catch {
                // A file that starts like a YAML mapping (`all:`) gets its YAML error, not INI's complaints.
                if format == .yaml || looksLikeYAML(text) {
                    diagnostics.append(contentsOf: error.diagnostics)
                    return
                }
            }
            if format == .automatic { format = .ini }
        }
        if format == .yaml, let yaml {
            var parser = YAMLInventoryParser(source: yaml, builder: builder, diagnostics: diagnostics)
            parser.parse()
            builder = parser.builder
            diagnostics = parser.diagnostics
        } else {
            var parser = INIInventoryParser(text: text, file: file, builder: builder, diagnostics: diagnostics)
            parser.parse()
            builder = parser.builder
            diagnostics = parser.diagnostics
        }
    }

    /// Whether the first meaningful line is a YAML mapping key or document start (`all:`, `---`), which an
    /// INI inventory never has.
    static func looksLikeYAML(_ text: String) -> Bool {
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            return trimmed == "---" || (trimmed.hasSuffix(":") && !trimmed.contains(" ") && !trimmed.hasPrefix("["))
        }
        return false
    }

    private static func loadFile(
        _ path: String,
        builder: inout InventoryBuilder,
        diagnostics: inout Diagnostics
    ) {
        guard let data = FileManager.default.contents(atPath: path) else {
            diagnostics.error("cannot read the inventory file '\(path)': permission denied or not a file", at: nil)
            return
        }
        guard let text = String(data: data, encoding: .utf8) else {
            diagnostics.error(
                "the inventory file is not UTF-8 text",
                at: SourceLocation(file: path, line: 1, column: 1)
            )
            return
        }
        parse(
            text: text,
            file: path,
            format: self.format(forPath: path),
            builder: &builder,
            diagnostics: &diagnostics
        )
    }

    private static func loadFolder(
        _ path: String,
        builder: inout InventoryBuilder,
        diagnostics: inout Diagnostics
    ) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            diagnostics.error("cannot list the inventory folder '\(path)'", at: nil)
            return
        }
        // Python sorts names by code point.
        for name in names.sorted(by: Inventory.codePointLess) where !isIgnored(entry: name) {
            let full = (path as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                loadFolder(full, builder: &builder, diagnostics: &diagnostics)
            } else {
                loadFile(full, builder: &builder, diagnostics: &diagnostics)
            }
        }
    }

    /// Reads `group_vars/` and `host_vars/` under `base` for every group and host, as Ansible's
    /// `host_group_vars` plugin does: `NAME`, `NAME.yml`, `NAME.yaml` or `NAME.json` (the first that exists),
    /// or a folder `NAME/` whose files are read in name order.
    private static func loadVarsFolders(base: String, builder: inout InventoryBuilder, diagnostics: inout Diagnostics) {
        let groupNames = builder.groupOrder
        let hostNames = builder.hostOrder
        for (folder, names, isGroup) in [("group_vars", groupNames, true), ("host_vars", hostNames, false)] {
            let dir = (base as NSString).appendingPathComponent(folder)
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            let present = Set(entries)
            for name in names where !name.hasPrefix("/") {
                guard let found = varsFiles(in: dir, name: name, present: present) else { continue }
                var merged: [String: InventoryValue] = [:]
                for file in found {
                    merged.merge(loadVarsFile(file, diagnostics: &diagnostics)) { _, new in new }
                }
                if isGroup {
                    builder.groupFileVars[name, default: [:]].merge(merged) { _, new in new }
                } else {
                    builder.hostFileVars[name, default: [:]].merge(merged) { _, new in new }
                }
            }
        }
    }

    private static func varsFiles(in dir: String, name: String, present: Set<String>) -> [String]? {
        for ext in [""] + yamlExtensions where present.contains(name + ext) {
            let full = (dir as NSString).appendingPathComponent(name + ext)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
            return isDirectory.boolValue ? varsFilesInFolder(full) : [full]
        }
        return nil
    }

    private static func varsFilesInFolder(_ path: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        var found: [String] = []
        for name in names.sorted(by: Inventory.codePointLess) where !name.hasPrefix(".") && !name.hasSuffix("~") {
            let full = (path as NSString).appendingPathComponent(name)
            let ext = (name as NSString).pathExtension
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                if ext.isEmpty { found += varsFilesInFolder(full) }
            } else if ext.isEmpty || yamlExtensions.contains("." + ext) {
                found.append(full)
            }
        }
        return found
    }

    /// The variables of one `group_vars` / `host_vars` file: a YAML mapping (an empty file is fine).
    private static func loadVarsFile(_ path: String, diagnostics: inout Diagnostics) -> [String: InventoryValue] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            diagnostics.error("cannot read the variables file '\(path)' as UTF-8 text", at: nil)
            return [:]
        }
        let source: YAMLSource
        do {
            source = try YAMLSource(text: text, file: path)
        } catch {
            diagnostics.append(contentsOf: error.diagnostics)
            return [:]
        }
        guard let root = source.root else { return [:] }
        var parser = YAMLInventoryParser(source: source, builder: InventoryBuilder(), diagnostics: Diagnostics())
        if parser.isNull(root) { return [:] }
        guard case .mapping = root else {
            diagnostics.error(
                "a variables file must be a mapping of variable names to values; found \(parser.kind(of: root))",
                at: source.location(of: root)
            )
            return [:]
        }
        var result: [String: InventoryValue] = [:]
        for (key, value) in YAMLInventoryParser.entries(of: root) {
            guard let name = parser.variableName(key) else { continue }
            result[name] = parser.value(of: value)
        }
        diagnostics.append(contentsOf: parser.diagnostics)
        return result
    }
}
