use super::error::{BtreeError, Pgno};
use super::store::PageStore;
use crate::pager::{Pager, PagerError};
fn e(x: PagerError) -> BtreeError {
    BtreeError::Store {
        code: x.result_code(),
        msg: x.to_string(),
    }
}
impl PageStore for Pager {
    fn page_count(&self) -> Pgno {
        Pager::page_count(self)
    }
    fn page_size(&self) -> usize {
        Pager::page_size(self)
    }
    fn usable_size(&self) -> usize {
        Pager::usable_size(self)
    }
    fn read(&mut self, pgno: Pgno) -> Result<&[u8], BtreeError> {
        let r = self.get(pgno).map_err(e)?;
        Ok(self.data(r).map_err(e)?)
    }
    fn write(&mut self, pgno: Pgno) -> Result<&mut [u8], BtreeError> {
        let r = self.get(pgno).map_err(e)?;
        Ok(self.data_mut(r).map_err(e)?)
    }
    fn allocate(&mut self) -> Result<Pgno, BtreeError> {
        Ok(Pager::allocate(self).map_err(e)?.0)
    }
    fn begin_read(&mut self) -> Result<(), BtreeError> {
        Ok(Pager::begin_read(self).map_err(e)?)
    }
    fn end_read(&mut self) {
        Pager::end_read(self)
    }
    fn begin_write(&mut self, ex: bool) -> Result<(), BtreeError> {
        Ok(Pager::begin_write(self, ex).map_err(e)?)
    }
    fn commit(&mut self) -> Result<(), BtreeError> {
        Ok(Pager::commit(self).map_err(e)?)
    }
    fn rollback(&mut self) -> Result<(), BtreeError> {
        Ok(Pager::rollback(self).map_err(e)?)
    }
}
