const auth = require('../../../../utils/auth');
const userService = require('../../../../services/user');
const { roleLabel } = require('../../../../utils/format');
const { adminSections } = require('../../../../utils/entries');

// 管理工作台: the admin pages the user's roles allow, in one place.
Component({
  data: {
    loading: false,
    loaded: false,
    rolesText: '',
    sections: [],
  },

  methods: {
    onLoad() {
      this.refresh();
    },

    onPullDownRefresh() {
      this.refresh().then(() => wx.stopPullDownRefresh());
    },

    async refresh() {
      this.setData({ loading: true });
      try {
        await auth.ensureLogin();
        const me = await userService.getMe();
        const roles = (me.roles || []).filter((r) => r.role !== 'resident');
        this.setData({
          rolesText: roles.map(roleLabel).join('、'),
          sections: adminSections(me),
        });
      } catch (e) {
        this.setData({ rolesText: '', sections: [] });
      } finally {
        this.setData({ loading: false, loaded: true });
      }
    },

    onEntryTap(e) {
      const { url } = e.currentTarget.dataset;
      if (url) wx.navigateTo({ url });
    },
  },
});
