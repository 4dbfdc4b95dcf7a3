"""What-if capacity scenarios (SPEC §9): a base week, variants of changes, a comparison.

* ``spec``: the scenario file format (YAML or JSON), validated field by field;
* ``changes``: each change applied to the data set, giving a variant's instance;
* ``run``: baseline and variants solved (parts untouched by a change reused);
* ``report``: KPI comparison, unmet diff, charts, HTML and Excel;
* ``sweep`` and ``sensitivity``: many scenarios in parallel; where one more
  specialist would help most.
"""
