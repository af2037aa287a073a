use pyo3::prelude::*;

#[pyclass(module = "pyrustgrad")]
struct Tensor { v: f64 }

#[pymethods]
impl Tensor {
    #[new]
    fn new(v: f64) -> Self { Tensor { v } }
    fn __add__(&self, other: f64) -> Tensor { Tensor { v: self.v + other } }
    fn __repr__(&self) -> String { format!("tensor({})", self.v) }
}

#[pymodule]
fn _core(_py: Python, m: &PyModule) -> PyResult<()> {
    m.add_class::<Tensor>()?;
    m.add_function(wrap_pyfunction!(answer, m)?)?;
    Ok(())
}

#[pyfunction]
fn answer() -> i64 { pyrustgrad_core::answer() }
