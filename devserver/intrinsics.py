"""A small evaluator of CloudFormation intrinsics for one set of parameter values: Ref, Fn::Sub, Fn::If, Fn::GetAtt,
Fn::Equals / Not / And / Or and conditions, and Fn::FindInMap (with the DefaultValue of the AWS::LanguageExtensions
transform), Fn::Select and Fn::Split.

Written by hand because SAM CLI's own resolver gives up on `!If [..., !Ref AWS::NoValue]`, which the template uses to
make the POST method's security depend on WriteAuth. A reference to a resource becomes "<LogicalId>" and an attribute
"<LogicalId.Attr>": stand-ins for values only CloudFormation knows, that callers can still follow back. The exception
is a DynamoDB table that names itself: its Ref is that name, as in CloudFormation, so a local table and the variable
that names it agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from devserver.local_aws import ACCOUNT_ID, REGION

NO_VALUE = object()  # AWS::NoValue: the key or list item disappears
_NOT_A_FUNCTION = object()
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class TemplateValues:
    def __init__(
        self, template: Mapping[str, Any], overrides: Mapping[str, str], pseudo: Mapping[str, str] | None = None
    ) -> None:
        self._template = template
        self.parameters = {
            name: str(overrides.get(name, spec.get("Default", "")))
            for name, spec in template.get("Parameters", {}).items()
        }
        self.parameters |= {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": "local",
            **(pseudo or {}),
        }
        self._condition_definitions: Mapping[str, Any] = template.get("Conditions", {})
        self._conditions: dict[str, bool] = {}

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = bool(self.value(self._condition_definitions[name]))
        return self._conditions[name]

    def resolved_template(self) -> dict[str, Any]:
        """The whole template with every intrinsic resolved, without the resources and outputs whose Condition fails."""
        template = dict(self._template)
        for section in ("Resources", "Outputs"):
            template[section] = {
                name: entry
                for name, entry in template.get(section, {}).items()
                if "Condition" not in entry or self.condition(entry["Condition"])
            }
        resolved: dict[str, Any] = self.value(template)
        return resolved

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            return self.parameters[name]
        resource = self._template.get("Resources", {}).get(name, {})
        table_name = resource.get("Properties", {}).get("TableName")
        if resource.get("Type") == "AWS::DynamoDB::Table" and table_name is not None:
            return self.value(table_name)
        return f"<{name}>"

    def sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        values = {name: self.value(value) for name, value in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return str(values[name])
            if name in self.parameters:
                return self.parameters[name]
            return f"<{name}>"  # ${Resource} or ${Resource.Attr}

        return _SUB_VARIABLE.sub(replace, text).replace("${!", "${")

    def find_in_map(self, argument: list[Any]) -> Any:
        """A mapping's value, or the DefaultValue (AWS::LanguageExtensions) where the mapping has no such entry;
        without one a missing entry is an error, as it fails a deploy."""
        map_name, top_key, second_key = (self.value(each) for each in argument[:3])
        entry = self._template.get("Mappings", {}).get(map_name, {}).get(top_key, {})
        if second_key in entry:
            return entry[second_key]
        if len(argument) == 4:
            return self.value(argument[3]["DefaultValue"])
        raise KeyError(f"Fn::FindInMap: {map_name} has no {top_key}.{second_key}")

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [item for item in (self.value(each) for each in node) if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, argument),) = node.items()
            resolved = self._function(key, argument)
            if resolved is not _NOT_A_FUNCTION:
                return resolved
        resolved_items = {key: self.value(each) for key, each in node.items()}
        return {key: each for key, each in resolved_items.items() if each is not NO_VALUE}

    def _function(self, key: str, argument: Any) -> Any:
        """The value of an intrinsic function, or _NOT_A_FUNCTION when the key names none this evaluator knows."""
        match key:
            case "Ref":
                return self.ref(argument)
            case "Fn::Sub":
                return self.sub(argument)
            case "Fn::GetAtt":
                attribute = argument.split(".", 1) if isinstance(argument, str) else argument
                return f"<{attribute[0]}.{attribute[1]}>"
            case "Fn::If":
                name, when_true, when_false = argument
                return self.value(when_true if self.condition(name) else when_false)
            case "Fn::Equals":
                left, right = (self.value(each) for each in argument)
                return str(left) == str(right)
            case "Fn::Not":
                return not self.value(argument[0])
            case "Fn::And":
                return all(self.value(each) for each in argument)
            case "Fn::Or":
                return any(self.value(each) for each in argument)
            case "Condition":
                return self.condition(argument)
            case "Fn::FindInMap":
                return self.find_in_map(argument)
            case "Fn::Select":
                index, items = argument
                return self.value(items)[int(self.value(index))]
            case "Fn::Split":
                delimiter, text = argument
                return str(self.value(text)).split(delimiter)
        return _NOT_A_FUNCTION
