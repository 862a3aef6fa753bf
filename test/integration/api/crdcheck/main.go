// crdcheck runs the Kubernetes API server's own CRD code (apiextensions-apiserver, no server needed) over
// Kappa's generated CRDs and over manifests, the way `kubectl apply` would meet them:
//
//	crdcheck <crd-dir> [manifest.yaml ...]
//
// It prints one JSON object: crdErrors (CRD validation: structural schema, CEL compilation and cost) and, per
// manifest document, the errors of defaulting + OpenAPI validation + CEL rules.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	yamlutil "k8s.io/apimachinery/pkg/util/yaml"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

type documentResult struct {
	File     string   `json:"file"`
	Document int      `json:"document"`
	Kind     string   `json:"kind"`
	Name     string   `json:"name"`
	Known    bool     `json:"known"`
	Errors   []string `json:"errors"`
}

type output struct {
	CRDErrors []string         `json:"crdErrors"`
	Documents []documentResult `json:"documents"`
}

type kindSchema struct {
	internal   *apiextensions.JSONSchemaProps
	structural *structuralschema.Structural
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: crdcheck <crd-dir> [manifest.yaml ...]")
		os.Exit(2)
	}
	out := output{CRDErrors: []string{}, Documents: []documentResult{}}
	kinds := map[string]kindSchema{}
	files, err := filepath.Glob(filepath.Join(os.Args[1], "*.yaml"))
	must(err)
	for _, file := range files {
		data, err := os.ReadFile(file)
		must(err)
		v1 := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(data, v1); err != nil {
			out.CRDErrors = append(out.CRDErrors, fmt.Sprintf("%s: %v", file, err))
			continue
		}
		apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(v1)
		internal := &apiextensions.CustomResourceDefinition{}
		must(apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(v1, internal, nil))
		for _, e := range crdvalidation.ValidateCustomResourceDefinition(context.Background(), internal) {
			out.CRDErrors = append(out.CRDErrors, fmt.Sprintf("%s: %v", filepath.Base(file), e))
		}
		// the internal form keeps a schema shared by all versions at spec.validation
		validation := internal.Spec.Validation
		if internal.Spec.Versions[0].Schema != nil {
			validation = internal.Spec.Versions[0].Schema
		}
		schema := validation.OpenAPIV3Schema
		structural, err := structuralschema.NewStructural(schema)
		if err != nil {
			out.CRDErrors = append(out.CRDErrors, fmt.Sprintf("%s: not structural: %v", filepath.Base(file), err))
			continue
		}
		kinds[internal.Spec.Names.Kind] = kindSchema{internal: schema, structural: structural}
	}
	for _, file := range os.Args[2:] {
		out.Documents = append(out.Documents, checkManifests(file, kinds)...)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", " ")
	must(encoder.Encode(out))
}

func checkManifests(file string, kinds map[string]kindSchema) []documentResult {
	data, err := os.ReadFile(file)
	must(err)
	results := []documentResult{}
	reader := yamlutil.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for index := 0; ; index++ {
		doc, err := reader.Read()
		if err == io.EOF {
			break
		}
		must(err)
		result := documentResult{File: file, Document: index, Errors: []string{}}
		var obj map[string]interface{}
		// as the API server decodes a body: whole numbers become int64, not float64
		jsonDoc, err := yaml.YAMLToJSON(doc)
		if err == nil {
			err = utiljson.Unmarshal(jsonDoc, &obj)
		}
		if err != nil {
			result.Errors = append(result.Errors, "yaml: "+err.Error())
			results = append(results, result)
			continue
		}
		if obj == nil {
			continue
		}
		result.Kind, _ = obj["kind"].(string)
		if metadata, ok := obj["metadata"].(map[string]interface{}); ok {
			result.Name, _ = metadata["name"].(string)
		}
		schema, known := kinds[result.Kind]
		result.Known = known && obj["apiVersion"] == "kappa.dev/v1alpha1"
		if result.Known {
			for _, e := range admit(obj, schema) {
				result.Errors = append(result.Errors, e.Error())
			}
		}
		results = append(results, result)
	}
	return results
}

// admit does what the API server does to a create request's body: prune, default, validate, run CEL rules.
// Unknown fields are errors, as kubectl's default strict field validation makes them.
func admit(obj map[string]interface{}, schema kindSchema) field.ErrorList {
	errs := field.ErrorList{}
	unknown := structuralpruning.PruneWithOptions(obj, schema.structural, true,
		structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	for _, path := range unknown {
		errs = append(errs, field.Invalid(field.NewPath(path), nil, "unknown field"))
	}
	structuraldefaulting.Default(obj, schema.structural)
	validator, _, err := apiservervalidation.NewSchemaValidator(schema.internal)
	must(err)
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, obj, validator)...)
	celValidator := cel.NewValidator(schema.structural, true, celconfig.PerCallLimit)
	celErrs, _ := celValidator.Validate(context.Background(), nil, schema.structural, obj, nil, celconfig.RuntimeCELCostBudget)
	return append(errs, celErrs...)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, strings.TrimSpace(err.Error()))
		os.Exit(1)
	}
}
